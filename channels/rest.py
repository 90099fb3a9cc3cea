"""Rasa's REST channel with its request body checked.

Rasa's own RestInput reads `sender` and `message` from the body without checking them: a missing
sender files the message under a shared "default" conversation, and a body that is not a JSON
object ends in a 500. This subclass answers such requests with a 400 that says what is wrong,
and a message over MAX_MESSAGE_CHARS with a 413. Everything else is Rasa's RestInput, at the same
URL (/webhooks/rest/webhook).
"""

from typing import Any, Dict, Text

from rasa.core.channels.rest import RestInput
from sanic.exceptions import InvalidUsage, PayloadTooLarge
from sanic.request import Request

MAX_SENDER_CHARS = 255
MAX_MESSAGE_CHARS = 10_000


def _body(request: Request) -> Dict[Text, Any]:
    body = request.json  # Sanic answers 400 itself when the body is not JSON
    if not isinstance(body, dict):
        raise InvalidUsage('The body must be a JSON object: {"sender": "...", "message": "..."}')
    return body


class CheckedRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, request: Request) -> Text:
        sender = _body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage('"sender" must be a non-empty string identifying the conversation')
        if len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f'"sender" must be at most {MAX_SENDER_CHARS} characters')
        return sender

    def _extract_message(self, request: Request) -> Text:
        message = _body(request).get("message")
        if not isinstance(message, str):
            raise InvalidUsage('"message" must be a string')
        if len(message) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f'"message" must be at most {MAX_MESSAGE_CHARS} characters')
        return message
