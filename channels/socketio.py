"""Rasa's socket.io channel for the website widget: origins checked, messages delivered once.

Rasa's SocketIOInput accepts connections from any origin (it turns python-engineio's origin check
off) and has no answer to a dropped connection: a message sent as the connection drops is lost, and
a message sent again is handled twice. This subclass, registered under the same name ("socketio",
at /socket.io), adds:

- **Origins**: only the origins in ALLOWED_ORIGINS (comma-separated, e.g.
  `https://clinic.example,http://localhost:8080`) may connect; "*" is refused at start-up.
- **Sessions that work**: Rasa 3.6 calls `sio.enter_room()` without awaiting it, but in
  python-socketio 5.x (which Rasa 3.6 allows and installs) it is a coroutine, so a persisted session
  never joins its room and the client receives no replies. The session request is handled here,
  awaited, and a session id that is not a short string is replaced by a new one.
- **Checked messages**: a message that is not an object with a string `message` and `session_id`
  (at most MAX_MESSAGE_CHARS) is refused with an acknowledgement that says why.
- **Exactly-once replies**: the widget gives every message a `message_id` and sends it again
  after a reconnect until the server acknowledges it. A message id seen before is not handled a
  second time: its replies are sent again instead. Every reply carries an `id`
  ("<message_id>:<n>") so the widget shows each reply once.

The replies of recent messages are kept in memory (REMEMBERED_MESSAGES per server process); a
message sent again after a restart of the Rasa server is handled again.
"""

import asyncio
import logging
import os
import uuid
from collections import OrderedDict
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels.origins import allowed_origins

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 10_000
MAX_ID_CHARS = 100
REMEMBERED_MESSAGES = 2_000


class ReplyRecorder(SocketIOOutput):
    """Rasa's socket.io output, giving each reply an id and keeping a copy of it."""

    def __init__(self, sio: Any, bot_message_evt: Text, message_id: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.message_id = message_id
        self.replies: List[Dict[Text, Any]] = []

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        reply = {**response, "id": f"{self.message_id}:{len(self.replies)}"}
        self.replies.append(reply)
        await super()._send_message(socket_id, reply)


class ClinicSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.origins = allowed_origins(os.environ.get("ALLOWED_ORIGINS"))
        # (session id, message id) -> the replies, or a future while the message is being handled
        self._handled: "OrderedDict[Tuple[Text, Text], asyncio.Future]" = OrderedDict()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        sio = self.sio
        # Rasa creates the server with the origin check off (cors_allowed_origins=[]).
        sio.eio.cors_allowed_origins = self.origins

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not session_id.strip() or len(session_id) > MAX_ID_CHARS:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> Dict[Text, Any]:
            problem = self._problem(data)
            if problem:
                logger.warning(f"socket.io message refused: {problem}")
                return {"status": "refused", "error": problem}
            key = (data["session_id"], data["message_id"])
            if key in self._handled:
                replies = await asyncio.shield(self._handled[key])
                for reply in replies:
                    await sio.emit(self.bot_message_evt, reply, room=sid)
                return {"status": "ok", "message_id": key[1], "repeated": True}

            done: asyncio.Future = asyncio.get_running_loop().create_future()
            self._remember(key, done)
            output = ReplyRecorder(sio, self.bot_message_evt, key[1])
            metadata = data.get(self.metadata_key) or {}
            try:
                await on_new_message(UserMessage(
                    data["message"], output, key[0], input_channel=self.name(),
                    message_id=key[1], metadata=metadata if isinstance(metadata, dict) else {},
                ))
            except Exception:
                del self._handled[key]  # not handled: a repeat may try again
                raise
            finally:
                done.set_result(output.replies)  # waiting repeats get what was sent
            return {"status": "ok", "message_id": key[1]}

        return blueprint

    def _problem(self, data: Any) -> Optional[Text]:
        if not isinstance(data, dict):
            return "a message must be an object with message, session_id and message_id"
        if not isinstance(data.get("message"), str):
            return "message must be a string"
        if len(data["message"]) > MAX_MESSAGE_CHARS:
            return f"message must be at most {MAX_MESSAGE_CHARS} characters"
        for field in ("session_id", "message_id"):
            value = data.get(field)
            if not isinstance(value, str) or not value.strip() or len(value) > MAX_ID_CHARS:
                return f"{field} must be a non-empty string of at most {MAX_ID_CHARS} characters"
        return None

    def _remember(self, key: Tuple[Text, Text], done: asyncio.Future) -> None:
        self._handled[key] = done
        while len(self._handled) > REMEMBERED_MESSAGES:
            self._handled.popitem(last=False)
