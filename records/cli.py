"""The clinic database from the command line (the Makefile's migrate, erase and purge targets).

    python -m records.cli migrate          create or upgrade the tables
    python -m records.cli erase SENDER     erase one conversation, its requests and hand-offs
    python -m records.cli purge [--days N] delete what is older than the retention period
    python -m records.cli deliver-once     one delivery round (the worker does this continuously)

Settings come from the environment (the Makefile loads .env and .env.example first).
"""

import argparse
import logging
import sys
from typing import List, Optional

from records.db import SchemaError, check_schema, make_engine, migrate
from records.delivery import deliver_due
from records.erasure import erase_conversation, purge
from records.settings import Settings, SettingsError


def retention_days(settings: Settings, days: Optional[int]) -> int:
    """--days, else RETENTION_DAYS, else the clinic profile's retention_days."""
    if days is not None:
        return days
    if settings.retention_days is not None:
        return settings.retention_days
    from actions.profile import ProfileError, get_profile

    try:
        return get_profile().retention_days
    except ProfileError as error:
        raise SettingsError(f"no retention period: set RETENTION_DAYS or fix the clinic profile ({error})") from None


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m records.cli", description="The clinic database.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="create or upgrade the tables")
    erase = commands.add_parser("erase", help="erase one conversation's data")
    erase.add_argument("sender", help="the conversation id")
    purge_parser = commands.add_parser("purge", help="delete data older than the retention period")
    purge_parser.add_argument("--days", type=int, help="retention period in days (default: RETENTION_DAYS or the profile)")
    commands.add_parser("deliver-once", help="send what is due in the outbox, once")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    try:
        settings = Settings.from_env()
        if args.command == "migrate":
            revision = migrate(settings.database_url)
            print(f"clinic database at revision {revision}")
            return 0
        engine = make_engine(settings.database_url)
        check_schema(engine)
        if args.command == "erase":
            if not args.sender.strip():
                print("erase: say which conversation: make erase SENDER=<conversation id>", file=sys.stderr)
                return 2
            counts = erase_conversation(engine, args.sender, "staff", settings.tracker_store_url)
            print(
                f"erased: {counts.requests} request(s), {counts.outbox} outbox entr(y/ies), "
                f"{counts.handoffs} hand-off(s), {counts.events} conversation event(s)"
            )
        elif args.command == "purge":
            days = retention_days(settings, args.days)
            if days < 1:
                print("purge: the retention period must be at least 1 day", file=sys.stderr)
                return 2
            counts = purge(engine, days, settings.tracker_store_url)
            print(
                f"purged data older than {days} days: {counts.requests} request(s), {counts.handoffs} hand-off(s), "
                f"{counts.events} conversation event(s)"
            )
        elif args.command == "deliver-once":
            print(deliver_due(engine, settings))
    except (SettingsError, SchemaError) as error:
        print(f"{args.command}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
