"""Says clearly which port `make run` needs is already taken, before any server starts.

    python scripts/check_ports.py      # RASA_PORT, ACTION_SERVER_PORT, SITE_*, CONSOLE_*
"""

import os
import socket
import sys
from typing import List, Mapping, Tuple


def wanted(environ: Mapping[str, str]) -> List[Tuple[str, str, str, str]]:
    """(what, setting, host, port) for each server `make run` starts."""
    return [
        ("the Rasa server", "RASA_PORT", "0.0.0.0", environ.get("RASA_PORT") or "5005"),
        ("the action server", "ACTION_SERVER_PORT", "0.0.0.0", environ.get("ACTION_SERVER_PORT") or "5055"),
        ("the sample clinic site", "SITE_PORT", environ.get("SITE_HOST") or "127.0.0.1", environ.get("SITE_PORT") or "8080"),
        ("the staff console", "CONSOLE_PORT", environ.get("CONSOLE_HOST") or "127.0.0.1", environ.get("CONSOLE_PORT") or "8081"),
    ]


def in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def problems(environ: Mapping[str, str]) -> List[str]:
    found = []
    for what, setting, host, port in wanted(environ):
        if not port.isdigit() or not 0 < int(port) < 65536:
            found.append(f"{setting}={port!r} is not a port number ({what})")
        elif in_use(host, int(port)):
            found.append(f"port {port} ({what}, {setting}) is already in use by another program: stop it "
                         f"(is `make run` already running?) or set another {setting} in .env")
    return found


if __name__ == "__main__":
    found = problems(os.environ)
    for problem in found:
        print(f"make run: {problem}", file=sys.stderr)
    sys.exit(1 if found else 0)
