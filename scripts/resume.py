"""`make resume SENDER=<conversation id>`: hands a paused conversation back to the assistant.

Sends Rasa's `resume` event through the Rasa server's HTTP API (the same route the staff console
uses) and marks the conversation's hand-off as resumed in the clinic database.
"""

import argparse
import os
import sys
from urllib.parse import quote

import requests

from records.db import make_engine
from records.handoffs import resolve_handoff
from records.settings import Settings, SettingsError

TIMEOUT_SECONDS = 10


def rasa_url() -> str:
    return os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"


def resume(sender: str, base_url: str, token: str, session: requests.Session) -> str:
    """Resumes the conversation; returns a line for the operator. Raises RuntimeError on failure."""
    url = f"{base_url}/conversations/{quote(sender, safe='')}/tracker"
    params = {"token": token}
    try:
        tracker = session.get(url, params=params, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as error:
        raise RuntimeError(f"the Rasa server at {base_url} is not answering ({error}); is `make run` up?") from None
    if tracker.status_code in (401, 403):
        raise RuntimeError("the Rasa server refused the API token (RASA_API_TOKEN in .env)")
    tracker.raise_for_status()
    state = tracker.json()
    if not any(event.get("event") == "user" for event in state.get("events") or []):
        # (Rasa's API answers an unknown id with a fresh, empty conversation.)
        raise RuntimeError(f"there is no conversation with the id {sender!r}")
    if not state.get("paused"):
        return f"conversation {sender} is not paused: the assistant is already answering it"
    # After the resume, an action_listen: the client's next message then starts an ordinary turn
    # (the messages sent while paused were stored without the assistant listening for them).
    events = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]
    reply = session.post(f"{url}/events", params=params, json=events, timeout=TIMEOUT_SECONDS)
    reply.raise_for_status()
    return f"conversation {sender} handed back to the assistant"


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sender", help="the conversation id (the client's sender id)")
    args = parser.parse_args(argv)
    if not args.sender.strip():
        print("resume: say which conversation: make resume SENDER=<conversation id>", file=sys.stderr)
        return 2
    token = os.environ.get("RASA_API_TOKEN", "")
    if not token:
        print("resume: RASA_API_TOKEN is not set (run `make install` to generate it in .env)", file=sys.stderr)
        return 2
    try:
        message = resume(args.sender, rasa_url(), token, requests.Session())
        settings = Settings.from_env()
        resolve_handoff(make_engine(settings.database_url), args.sender)
    except (RuntimeError, SettingsError, requests.RequestException) as error:
        print(f"resume: {error}", file=sys.stderr)
        return 1
    print(f"resume: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
