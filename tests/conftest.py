"""Shared fixtures: the real domain and profile, a tracker factory, and local services."""

import os
import socket
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.profile import ClinicProfile, load_profile
from scripts.with_env import load_settings

load_settings()  # the same .env / .env.example settings `make` gives every command

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(scope="session")
def profile() -> ClinicProfile:
    return load_profile(ROOT / "clinic" / "profile.yml")


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def user_event(intent: str, text: str = "", entities: Optional[List[Dict[str, Any]]] = None) -> Dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
    }


def build_tracker(
    intent: str = "greet",
    text: str = "",
    entities: Optional[Dict[str, List[str]]] = None,
    slots: Optional[Dict[str, Any]] = None,
    earlier_events: Optional[List[Dict[str, Any]]] = None,
) -> Tracker:
    """A tracker whose latest user message has this intent, text and entities."""
    entity_list = [
        {"entity": name, "value": value}
        for name, values in (entities or {}).items()
        for value in values
    ]
    latest = {
        "intent": {"name": intent, "confidence": 1.0},
        "entities": entity_list,
        "text": text,
    }
    events = list(earlier_events or []) + [user_event(intent, text, entity_list)]
    return Tracker(
        sender_id="test-sender",
        slots=slots or {},
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def make_tracker():
    """The tracker factory: make_tracker(intent=..., text=..., entities=..., earlier_events=...)."""
    return build_tracker


def service_unavailable(name: str, host: str, port: int) -> None:
    """Skips when a local service is missing on a developer's machine; fails in CI, where it must run."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as error:
        reason = f"{name} is not reachable at {host}:{port} ({error.strerror or error})"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run this test against the real service")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    service_unavailable("PostgreSQL", parsed.host or "127.0.0.1", parsed.port or 5432)
    return url
