"""Sending the staff notification e-mail with the standard library's smtplib.

`send_email()` connects to SMTP_HOST:SMTP_PORT, upgrades with STARTTLS when SMTP_STARTTLS is on
and the server offers it, logs in when SMTP_USERNAME is set, and sends a plain-text message to
STAFF_NOTIFY_EMAIL. Every failure raises (`MailError` or smtplib's and the socket's own errors) so
the delivery worker records it and tries again. It never sends a password unencrypted unless
SMTP_STARTTLS is explicitly false.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from records.settings import Settings

logger = logging.getLogger(__name__)


class MailError(Exception):
    """E-mail is not configured, or the SMTP server cannot be used safely."""


def build_message(settings: Settings, subject: str, body_text: str) -> EmailMessage:
    """The message to staff: From SMTP_FROM (else STAFF_NOTIFY_EMAIL), To STAFF_NOTIFY_EMAIL."""
    sender = settings.smtp_from or settings.staff_notify_email
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = settings.staff_notify_email
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body_text)
    return message


def send_email(settings: Settings, subject: str, body_text: str) -> None:
    """Sends one plain-text e-mail to STAFF_NOTIFY_EMAIL; raises on any failure."""
    if not settings.email_enabled:
        raise MailError("e-mail is not configured: set SMTP_HOST and STAFF_NOTIFY_EMAIL")
    message = build_message(settings, subject, body_text)
    timeout = settings.webhook_timeout_seconds
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
        smtp.ehlo()
        encrypted = False
        if settings.smtp_starttls:
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
                encrypted = True
            else:
                logger.warning(
                    "The SMTP server %s:%s does not offer STARTTLS; the staff e-mail is sent unencrypted.",
                    settings.smtp_host,
                    settings.smtp_port,
                )
        if settings.smtp_username:
            if settings.smtp_starttls and not encrypted:
                raise MailError(
                    f"the SMTP server {settings.smtp_host}:{settings.smtp_port} does not offer STARTTLS; "
                    "refusing to send SMTP_PASSWORD unencrypted (set SMTP_STARTTLS=false to allow it)"
                )
            smtp.login(settings.smtp_username, settings.smtp_password or "")
        refused = smtp.send_message(message)
    if refused:
        raise MailError(f"the SMTP server refused the recipient(s): {', '.join(sorted(refused))}")
