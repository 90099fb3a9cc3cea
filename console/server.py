"""Runs the staff console: `python -m console.server` (Procfile; `make run`).

Bound to 127.0.0.1:8081 unless CONSOLE_HOST / CONSOLE_PORT say otherwise. Refuses to start,
saying why, without CONSOLE_SECRET or on a clinic database that was not migrated.
"""

import logging
import os
import sys

import uvicorn

from console.app import ConsoleSettings, create_app
from records.db import SchemaError, check_schema, make_engine
from records.settings import SettingsError


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        settings = ConsoleSettings.from_env(os.environ)
        check_schema(make_engine(settings.database_url))
    except (ValueError, SettingsError, SchemaError) as error:
        print(f"console: {error}", file=sys.stderr)
        return 2
    if settings.host not in ("127.0.0.1", "localhost", "::1") and not settings.secure_cookie:
        print(f"console: listening on {settings.host}: put it behind HTTPS and set CONSOLE_SECURE_COOKIE=true",
              file=sys.stderr)
    print(f"console: http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info",
                proxy_headers=False, server_header=False, ws="none")  # no websockets: Rasa pins an old websockets
    return 0


if __name__ == "__main__":
    sys.exit(main())
