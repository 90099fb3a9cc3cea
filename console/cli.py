"""Staff accounts from the command line: `make staff-user EMAIL=... [ROLE=admin]`.

    python -m console.cli create-user EMAIL [--role staff|admin]

The password is asked for twice at the terminal, or read from PASSWORD (for scripts).
"""

import argparse
import getpass
import os
import sys
from typing import List

from console.accounts import AccountError, create_user
from records.db import SchemaError, check_schema, make_engine
from records.settings import Settings, SettingsError


def read_password() -> str:
    if os.environ.get("PASSWORD"):
        return os.environ["PASSWORD"]
    if not sys.stdin.isatty():
        raise AccountError("no terminal to ask for the password: set PASSWORD=...")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise AccountError("the two passwords differ")
    return first


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.cli", description="Staff console accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create an account, or set a new password and role")
    create.add_argument("email")
    create.add_argument("--role", default="staff", help="staff (default) or admin")
    args = parser.parse_args(argv)
    try:
        engine = make_engine(Settings.from_env().database_url)
        check_schema(engine)
        staff = create_user(engine, args.email, read_password(), args.role)
    except (AccountError, SettingsError, SchemaError) as error:
        print(f"staff-user: {error}", file=sys.stderr)
        return 2
    print(f"staff-user: {staff.email} can sign in at the staff console as {staff.role}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
