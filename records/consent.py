"""The consent wording clients agreed to: stored once per version, read back for staff.

A request's `consent_version` is a hash of the consent text exactly as the client saw it
(actions.consultation_text.consent_version); `record_wording()` keeps that text the first time a
client agrees to it, so the clinic can always show which words a consent was given to.
"""

from typing import Optional

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from records.db import session_scope
from records.models import ConsentWording


def record_wording(engine: Engine, version: str, text: str) -> bool:
    """Keeps the wording of a consent version; True when it was new. The same version always has
    the same text (it is its hash), so a version already kept is left as it is."""
    if not version or not text:
        raise ValueError("a consent version and its text are both needed")
    with session_scope(engine) as session:
        if session.get(ConsentWording, version) is not None:
            return False
    try:
        with session_scope(engine) as session:
            session.add(ConsentWording(version=version, text=text))
        return True
    except IntegrityError:  # another process kept it between the check and the insert
        return False


def wording(engine: Engine, version: str) -> Optional[str]:
    """The consent text a version stands for, or None when it was never kept."""
    with session_scope(engine) as session:
        row = session.get(ConsentWording, version)
        return row.text if row is not None else None
