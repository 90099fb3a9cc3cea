"""The clinic database's settings, read from the environment.

`Settings.from_env()` reads every key once and checks it; a missing or invalid value raises
`SettingsError` with a message naming the key (for example `WEBHOOK_RETRY_HOURS`). The caller
loads .env / .env.example first (the Makefile runs every command through scripts/with_env.py);
this module never reads those files itself.

E-mail to staff is on only when both SMTP_HOST and STAFF_NOTIFY_EMAIL are set; the booking
webhook is on only when BOOKING_WEBHOOK_URL is set, and then WEBHOOK_SECRET is required.
"""

import math
import os
from dataclasses import dataclass
from typing import Mapping, Optional

DEFAULT_DATABASE_URL = "sqlite:///clinic.db"
DEFAULT_TRACKER_STORE_URL = "sqlite:///tracker.db"

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class SettingsError(Exception):
    """A setting is missing or has a value the clinic database cannot use."""


def _text(environ: Mapping[str, str], key: str, default: str = "") -> str:
    value = environ.get(key)
    if value is None:
        return default
    return value.strip() or default


def _optional(environ: Mapping[str, str], key: str) -> Optional[str]:
    return _text(environ, key) or None


def _positive_number(environ: Mapping[str, str], key: str, default: float) -> float:
    raw = _text(environ, key)
    if not raw:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a number, not {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{key} must be a positive number, not {raw!r}")
    return value


def _integer(environ: Mapping[str, str], key: str, default: Optional[int], low: int, high: int) -> Optional[int]:
    raw = _text(environ, key)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{key} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{key} must be between {low} and {high}, not {raw!r}")
    return value


def _flag(environ: Mapping[str, str], key: str, default: bool) -> bool:
    raw = _text(environ, key).lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise SettingsError(f"{key} must be true or false, not {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Where the clinic database lives and how requests reach the clinic."""

    database_url: str = DEFAULT_DATABASE_URL
    tracker_store_url: str = DEFAULT_TRACKER_STORE_URL
    booking_webhook_url: Optional[str] = None
    webhook_secret: Optional[str] = None
    webhook_retry_hours: float = 48.0
    webhook_timeout_seconds: float = 10.0
    delivery_poll_seconds: float = 5.0
    smtp_host: Optional[str] = None
    smtp_port: int = 587
    smtp_username: Optional[str] = None
    smtp_password: Optional[str] = None
    smtp_starttls: bool = True
    smtp_from: Optional[str] = None
    staff_notify_email: Optional[str] = None
    # None: use the clinic profile's retention_days.
    retention_days: Optional[int] = None

    @property
    def webhook_enabled(self) -> bool:
        return self.booking_webhook_url is not None

    @property
    def email_enabled(self) -> bool:
        return self.smtp_host is not None and self.staff_notify_email is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "Settings":
        """Reads and checks every setting; raises SettingsError naming the first bad key."""
        webhook_url = _optional(environ, "BOOKING_WEBHOOK_URL")
        webhook_secret = _optional(environ, "WEBHOOK_SECRET")
        if webhook_url is not None:
            if not webhook_url.startswith(("https://", "http://")):
                raise SettingsError(f"BOOKING_WEBHOOK_URL must start with https:// or http://, not {webhook_url!r}")
            if webhook_secret is None:
                raise SettingsError(
                    "WEBHOOK_SECRET is required when BOOKING_WEBHOOK_URL is set: the clinic's endpoint "
                    "checks the X-SMP-Signature header with it"
                )
        staff_email = _optional(environ, "STAFF_NOTIFY_EMAIL")
        if staff_email is not None and "@" not in staff_email:
            raise SettingsError(f"STAFF_NOTIFY_EMAIL must be an e-mail address, not {staff_email!r}")
        return cls(
            database_url=_text(environ, "DATABASE_URL", DEFAULT_DATABASE_URL),
            tracker_store_url=_text(environ, "TRACKER_STORE_URL", DEFAULT_TRACKER_STORE_URL),
            booking_webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_retry_hours=_positive_number(environ, "WEBHOOK_RETRY_HOURS", 48),
            webhook_timeout_seconds=_positive_number(environ, "WEBHOOK_TIMEOUT_SECONDS", 10),
            delivery_poll_seconds=_positive_number(environ, "DELIVERY_POLL_SECONDS", 5),
            smtp_host=_optional(environ, "SMTP_HOST"),
            smtp_port=_integer(environ, "SMTP_PORT", 587, 1, 65535),
            smtp_username=_optional(environ, "SMTP_USERNAME"),
            # Not stripped: a password may start or end with a space.
            smtp_password=environ.get("SMTP_PASSWORD") or None,
            smtp_starttls=_flag(environ, "SMTP_STARTTLS", True),
            smtp_from=_optional(environ, "SMTP_FROM"),
            staff_notify_email=staff_email,
            retention_days=_integer(environ, "RETENTION_DAYS", None, 1, 3650),
        )
