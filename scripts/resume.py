"""`make resume SENDER=<conversation id>`: hands a paused conversation back to the assistant.

Sends Rasa's `resume` event through the Rasa server's HTTP API (the same route the staff console
uses) and marks the conversation's hand-off as resumed in the clinic database.
"""

import argparse
import sys

from records.db import make_engine
from records.handoffs import resolve_handoff
from records.rasa_api import RasaAPI, RasaAPIError
from records.settings import Settings, SettingsError


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sender", help="the conversation id (the client's sender id)")
    args = parser.parse_args(argv)
    if not args.sender.strip():
        print("resume: say which conversation: make resume SENDER=<conversation id>", file=sys.stderr)
        return 2
    try:
        api = RasaAPI.from_env()
    except RasaAPIError as error:
        print(f"resume: {error}", file=sys.stderr)
        return 2
    try:
        resumed = api.resume(args.sender)
        resolve_handoff(make_engine(Settings.from_env().database_url), args.sender)
    except (RasaAPIError, SettingsError) as error:
        print(f"resume: {error}", file=sys.stderr)
        return 1
    if resumed:
        print(f"resume: conversation {args.sender} handed back to the assistant")
    else:
        print(f"resume: conversation {args.sender} is not paused: the assistant is already answering it")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
