"""Shared fixtures: the real domain and profile, a tracker factory, and local services."""

import os
import socket
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

from actions.profile import ClinicProfile, load_profile
from scripts.with_env import load_settings
from tests.factories import build_tracker

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
