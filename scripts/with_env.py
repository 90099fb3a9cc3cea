"""Runs a command with the project's settings in its environment.

Settings come, in order of precedence, from the real environment, then `.env` (the operator's own
values, never committed), then `.env.example` (the documented defaults). Used by the Makefile so
`endpoints.yml` can name ${VARIABLES} and every command sees the same configuration.

    python scripts/with_env.py rasa run --enable-api
"""

import os
import sys
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent


def load_settings() -> None:
    """Fills unset environment variables from .env, then from .env.example."""
    for name in (".env", ".env.example"):
        path = ROOT / name
        if path.is_file():
            load_dotenv(path, override=False)


def main(argv: list) -> int:
    if not argv:
        print("usage: with_env.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    load_settings()
    try:
        os.execvp(argv[0], argv)
    except FileNotFoundError:
        print(f"with_env.py: command not found: {argv[0]} (run `make install`?)", file=sys.stderr)
        return 127


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
