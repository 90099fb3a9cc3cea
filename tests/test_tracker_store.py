"""endpoints.yml's tracker store: SQLite by default, PostgreSQL through TRACKER_STORE_URL."""

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

ROOT = Path(__file__).resolve().parent.parent


def store_from_endpoints(monkeypatch, url: str, domain: Domain) -> TrackerStore:
    monkeypatch.setenv("TRACKER_STORE_URL", url)
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    return TrackerStore.create(config, domain)


def conversation(sender: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("does it hurt?", {"name": "ask_pain", "confidence": 0.98}))
    tracker.update(ActionExecuted("action_answer_question"))
    tracker.update(BotUttered("Discomfort varies from person to person."))
    tracker.update(ActionExecuted("action_listen"))
    return tracker


async def saved_and_read_back(store_factory, sender: str):
    first = store_factory()
    await first.save(conversation(sender))
    second = store_factory()  # a new store, as after a restart
    return await second.retrieve(sender)


async def test_default_is_a_sqlite_file(monkeypatch, tmp_path, domain):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = store_from_endpoints(monkeypatch, url, domain)
    assert isinstance(store, SQLTrackerStore)
    assert store.engine.url.drivername == "sqlite"
    restored = await saved_and_read_back(lambda: store_from_endpoints(monkeypatch, url, domain), "sqlite-user")
    assert restored.latest_message.text == "does it hurt?"
    assert [e.text for e in restored.events if isinstance(e, BotUttered)] == ["Discomfort varies from person to person."]
    assert (tmp_path / "tracker.db").is_file()


@pytest.mark.services
async def test_postgresql_through_the_environment(monkeypatch, postgres_url, domain):
    sender = f"pg-test-{uuid.uuid4()}"
    store = store_from_endpoints(monkeypatch, postgres_url, domain)
    assert store.engine.url.drivername.startswith("postgresql")
    try:
        restored = await saved_and_read_back(lambda: store_from_endpoints(monkeypatch, postgres_url, domain), sender)
        assert restored.latest_message.intent["name"] == "ask_pain"
        assert len(restored.events) == 4
        with store.engine.connect() as connection:
            rows = connection.execute(sa.text("select count(*) from events where sender_id = :s"), {"s": sender}).scalar()
        assert rows == 4
    finally:
        with store.engine.begin() as connection:
            connection.execute(sa.text("delete from events where sender_id = :s"), {"s": sender})
