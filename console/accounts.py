"""Staff accounts: creating them, checking a sign-in, and locking an account after repeated
failures.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher, its recommended parameters).
After MAX_FAILURES wrong passwords in a row the account is locked for LOCK_MINUTES; a correct
password during the lock is refused too, so guessing gains nothing. An unknown e-mail costs the
same hashing work as a known one, so timing does not tell which addresses have accounts.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.engine import Engine

from records.db import session_scope
from records.models import STAFF_ROLES, StaffUser, utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 15
MIN_PASSWORD_CHARS = 12
LOCKED = f"Too many failed attempts: this account is locked for {LOCK_MINUTES} minutes."

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("an unknown account still costs one verification")


class AccountError(ValueError):
    """An account cannot be created as asked; the message says why."""


class LoginRefused(Exception):
    """A sign-in failed; the message is safe to show (it never says whether the e-mail exists)."""


@dataclass(frozen=True)
class Staff:
    """The signed-in member of staff, as the console keeps it in the session."""

    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise AccountError(f"{email!r} is not an e-mail address: {error}") from None


def create_user(engine: Engine, email: str, password: str, role: str = "staff") -> Staff:
    """Creates an account, or sets a new password and role for an existing one."""
    email = normalise_email(email)
    if role not in STAFF_ROLES:
        raise AccountError(f"role must be one of {', '.join(STAFF_ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_CHARS} characters")
    with session_scope(engine) as session:
        user = session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
        if user is None:
            user = StaffUser(email=email)
            session.add(user)
        user.password_hash = _hasher.hash(password)
        user.role = role
        user.failed_logins = 0
        user.locked_until = None
    return Staff(email, role)


def authenticate(engine: Engine, email: str, password: str) -> Staff:
    """The member of staff with these credentials; LoginRefused otherwise."""
    try:
        email = normalise_email(email)
    except AccountError:
        email = ""
    now = utcnow()
    refused: Optional[str] = None
    with session_scope(engine) as session:  # committed before refusing, so failures are counted
        user: Optional[StaffUser] = session.execute(
            select(StaffUser).where(StaffUser.email == email).with_for_update()
        ).scalar_one_or_none() if email else None
        if user is None:
            _verify(_DUMMY_HASH, password)
            refused = "Wrong e-mail or password."
        elif user.locked_until is not None and user.locked_until > now:
            _verify(_DUMMY_HASH, password)
            refused = LOCKED
        elif not _verify(user.password_hash, password):
            user.failed_logins += 1
            refused = "Wrong e-mail or password."
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                refused = LOCKED
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            staff = Staff(user.email, user.role)
    if refused:
        raise LoginRefused(refused)
    return staff


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def list_users(engine: Engine) -> list:
    with session_scope(engine) as session:
        return session.execute(select(StaffUser).order_by(StaffUser.email)).scalars().all()


def remove_user(engine: Engine, email: str) -> bool:
    """Deletes an account; False if there is none with this e-mail."""
    with session_scope(engine) as session:
        user = session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
        if user is None:
            return False
        session.delete(user)
        return True
