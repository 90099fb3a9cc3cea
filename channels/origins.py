"""ALLOWED_ORIGINS: the web sites that may use the chat (the socket.io channel and the site's assets).

Kept free of Rasa imports so the website server can use it too.
"""

from typing import List, Optional, Text
from urllib.parse import urlsplit


class OriginsError(ValueError):
    """ALLOWED_ORIGINS is missing or not a list of origins."""


def allowed_origins(value: Optional[Text]) -> List[Text]:
    """Parses ALLOWED_ORIGINS: comma-separated `scheme://host[:port]`, never "*"."""
    origins = [origin.strip().rstrip("/") for origin in (value or "").split(",") if origin.strip()]
    if not origins:
        raise OriginsError(
            "ALLOWED_ORIGINS is not set: list the web sites that may open the chat widget, "
            "for example ALLOWED_ORIGINS=https://www.your-clinic.co.uk,http://localhost:8080"
        )
    for origin in origins:
        parts = urlsplit(origin)
        if origin == "*" or parts.scheme not in ("http", "https") or not parts.hostname \
                or parts.path or parts.query or parts.fragment or "*" in origin:
            raise OriginsError(
                f"ALLOWED_ORIGINS: {origin!r} is not an origin; each entry is scheme://host[:port] "
                "(no paths, no wildcards)"
            )
    return origins
