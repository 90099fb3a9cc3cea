"""endpoints.yml's tracker store: SQLite by default, PostgreSQL through TRACKER_STORE_URL."""

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from records.tracker_store import ClinicTrackerStore

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
    # Rasa silently falls back to an in-memory store when a custom store fails to import.
    assert type(store) is ClinicTrackerStore
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


async def test_an_erasure_turn_deletes_the_conversation_instead_of_saving_it(monkeypatch, tmp_path, domain):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = store_from_endpoints(monkeypatch, url, domain)
    await store.save(conversation("erase-me"))
    await store.save(conversation("keep-me"))

    tracker = await store.retrieve("erase-me")
    tracker.update(UserUttered("/affirm", {"name": "affirm", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_delete_my_data"))
    tracker.update(BotUttered("Done: this chat and any request you made in it are erased from our records."))
    tracker.update(SlotSet("data_erased", True))
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)

    reopened = store_from_endpoints(monkeypatch, url, domain)
    assert await reopened.retrieve("erase-me") is None
    kept = await reopened.retrieve("keep-me")
    assert kept.latest_message.text == "does it hurt?"
    with reopened.engine.connect() as connection:
        senders = connection.execute(sa.text("select distinct sender_id from events")).scalars().all()
    assert senders == ["keep-me"]


async def test_a_failed_erasure_turn_is_saved_as_usual(monkeypatch, tmp_path, domain):
    store = store_from_endpoints(monkeypatch, f"sqlite:///{tmp_path / 'tracker.db'}", domain)
    tracker = conversation("still-here")
    tracker.update(ActionExecuted("action_delete_my_data"))  # the action failed: no data_erased slot
    await store.save(tracker)
    assert len((await store.retrieve("still-here")).events) == 5
