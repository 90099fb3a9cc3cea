"""The booking webhook's signature: HMAC-SHA256 of the exact body bytes, keyed with WEBHOOK_SECRET.

The worker sends it as `X-SMP-Signature: sha256=<hex>`. The clinic's endpoint recomputes it over
the raw request body (before any JSON parsing) and compares with `verify()`.
"""

import hashlib
import hmac

PREFIX = "sha256="


def sign(body: bytes, secret: str) -> str:
    """The X-SMP-Signature header value for this body: "sha256=" and the hex HMAC-SHA256."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(body: bytes, secret: str, header: str) -> bool:
    """Whether the header is the signature of exactly this body with this secret (constant-time)."""
    if not header:
        return False
    return hmac.compare_digest(sign(body, secret).encode("ascii"), header.strip().encode("utf-8"))
