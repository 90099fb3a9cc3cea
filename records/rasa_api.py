"""Rasa's HTTP API, as staff tools use it (`make resume`, the staff console).

The Rasa server runs with `--enable-api --auth-token=$RASA_API_TOKEN` (Procfile). `RasaAPI`
hands a paused conversation back to the assistant and sends a member of staff's message to the
client on the channel they last wrote from. Every failure is a `RasaAPIError` whose message says
what to do.
"""

import os
from typing import Optional
from urllib.parse import quote

import requests

TIMEOUT_SECONDS = 10


class RasaAPIError(RuntimeError):
    """The Rasa server could not do what was asked; the message is for the operator."""


def rasa_url() -> str:
    return os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"


class RasaAPI:
    def __init__(self, base_url: str, token: str, session: Optional[requests.Session] = None) -> None:
        if not token:
            raise RasaAPIError("RASA_API_TOKEN is not set (run `make install` to generate it in .env)")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.session = session or requests.Session()

    @classmethod
    def from_env(cls) -> "RasaAPI":
        return cls(rasa_url(), os.environ.get("RASA_API_TOKEN", ""))

    def _tracker_url(self, sender: str) -> str:
        return f"{self.base_url}/conversations/{quote(sender, safe='')}/tracker"

    def _call(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            response = self.session.request(method, url, params={"token": self.token, **kwargs.pop("params", {})},
                                            timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as error:
            raise RasaAPIError(f"the Rasa server at {self.base_url} is not answering ({error}); is `make run` up?") from None
        if response.status_code in (401, 403):
            raise RasaAPIError("the Rasa server refused the API token (RASA_API_TOKEN in .env)")
        if response.status_code >= 400:
            raise RasaAPIError(f"the Rasa server answered {response.status_code}: {response.text[:300]}")
        return response

    def tracker(self, sender: str) -> dict:
        """The conversation's state; RasaAPIError if there is no such conversation."""
        state = self._call("GET", self._tracker_url(sender)).json()
        if not any(event.get("event") == "user" for event in state.get("events") or []):
            # (Rasa's API answers an unknown id with a fresh, empty conversation.)
            raise RasaAPIError(f"there is no conversation with the id {sender!r}")
        return state

    def resume(self, sender: str) -> bool:
        """Hands the conversation back to the assistant; False if it was not paused."""
        if not self.tracker(sender).get("paused"):
            return False
        # After the resume, an action_listen: the client's next message then starts an ordinary
        # turn (the messages sent while paused were stored without the assistant listening).
        events = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
        self._call("POST", f"{self._tracker_url(sender)}/events", json=events)
        return True

    def send_staff_message(self, sender: str, text: str) -> str:
        """Sends `text` to the client on the channel they last wrote from and stores it in the
        conversation; returns that channel's name."""
        channel = self.tracker(sender).get("latest_input_channel") or ""
        event = {"event": "bot", "text": text, "metadata": {"from_staff": True}}
        self._call("POST", f"{self._tracker_url(sender)}/events", json=[event],
                   params={"output_channel": "latest", "execute_side_effects": "true"})
        return channel
