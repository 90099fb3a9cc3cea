"""Hand-offs, erasure and the retention purge: the clinic database and Rasa's tracker store."""

import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.executor import CollectingDispatcher

from actions import clinic_records
from actions.data_rights import ActionDeleteMyData
from actions.handoff import ActionRequestHuman
from records.db import make_engine, migrate, session_scope
from records.erasure import erase_conversation, purge
from records.handoffs import record_handoff, resolve_handoff, waiting_handoffs
from records.models import ConsultationRequest, ErasureLog, Handoff, OutboxEntry
from records.requests import ConsultationDetails, submit_request
from records.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def details(conversation_id: str) -> ConsultationDetails:
    return ConsultationDetails(
        conversation_id=conversation_id, channel="rest", name="Sam Taylor", phone="+447911123456",
        email="sam@example.com", consultation_format="studio", preferred_times="evenings", preferred_dates=[],
        contact_method="call", concern="crown", concern_detail=None, screening_flags=["pregnancy"],
        screening_note="I'm pregnant", consent_version="consent-abc", consent_given_at=NOW,
    )


@pytest.fixture
def clinic(tmp_path):
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    migrate(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def tracker_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


async def store_conversation(url: str, sender: str, when: float) -> None:
    store = SQLTrackerStore(host=url)
    tracker = DialogueStateTracker(sender, slots=[])
    tracker.update(UserUttered("my number is 07911 123456", {"name": "inform", "confidence": 0.9}, timestamp=when))
    tracker.update(ActionExecuted("action_listen", timestamp=when))
    await store.save(tracker)
    store.engine.dispose()


def count(engine, table: str, **where) -> int:
    clause = " and ".join(f"{key} = :{key}" for key in where) or "1 = 1"
    with engine.connect() as connection:
        return connection.execute(sa.text(f"select count(*) from {table} where {clause}"), where).scalar()


def test_a_handoff_is_queued_once_and_resolved(clinic):
    first = record_handoff(clinic, "conv-1", "socketio")
    assert record_handoff(clinic, "conv-1", "socketio") == first
    assert [h.conversation_id for h in waiting_handoffs(clinic)] == ["conv-1"]
    assert resolve_handoff(clinic, "conv-1") is True
    assert resolve_handoff(clinic, "conv-1") is False
    assert waiting_handoffs(clinic) == []
    assert record_handoff(clinic, "conv-1", "socketio") != first  # asking again later queues it again


async def test_erasing_a_conversation_leaves_no_trace_and_logs_counts_only(clinic, tracker_url):
    for conversation in ("erase-me", "keep-me"):
        submit_request(clinic, details(conversation), f"key-{conversation}", Settings())
        record_handoff(clinic, conversation, "rest")
        await store_conversation(tracker_url, conversation, NOW.timestamp())

    counts = erase_conversation(clinic, "erase-me", "staff", tracker_url)
    assert (counts.requests, counts.outbox, counts.handoffs, counts.events) == (1, 1, 1, 2)

    tracker = make_engine(tracker_url)
    assert count(tracker, "events", sender_id="erase-me") == 0
    assert count(tracker, "events", sender_id="keep-me") == 2
    assert count(clinic, "consultation_requests", conversation_id="erase-me") == 0
    assert count(clinic, "handoffs", conversation_id="erase-me") == 0
    assert count(clinic, "consultation_requests", conversation_id="keep-me") == 1
    assert count(clinic, "outbox") == 1
    with session_scope(clinic) as session:
        [log] = session.query(ErasureLog).all()
        row = {column.name: getattr(log, column.name) for column in ErasureLog.__table__.columns}
    assert log.trigger == "staff"
    assert not any("erase-me" in str(value) or "Sam" in str(value) for value in row.values())


async def test_purge_deletes_only_what_is_past_the_retention_period(clinic, tracker_url):
    old = NOW - timedelta(days=400)
    submit_request(clinic, details("old"), "key-old", Settings())
    submit_request(clinic, details("new"), "key-new", Settings())
    with session_scope(clinic) as session:
        session.query(ConsultationRequest).filter_by(conversation_id="old").update({"created_at": old})
    await store_conversation(tracker_url, "old", old.timestamp())
    await store_conversation(tracker_url, "new", NOW.timestamp())

    counts = purge(clinic, 365, tracker_url, now=NOW)
    assert (counts.requests, counts.outbox, counts.events) == (1, 1, 2)
    assert count(clinic, "consultation_requests", conversation_id="old") == 0
    assert count(clinic, "consultation_requests", conversation_id="new") == 1
    assert count(make_engine(tracker_url), "events", sender_id="new") == 2
    with session_scope(clinic) as session:
        assert [log.trigger for log in session.query(ErasureLog).all()] == ["retention"]


def test_purge_refuses_a_retention_period_under_a_day(clinic):
    with pytest.raises(ValueError):
        purge(clinic, 0)


def run_cli(*args, env):
    return subprocess.run([sys.executable, "-m", "records.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


async def test_make_erase_and_make_purge_commands(tmp_path, tracker_url):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "TRACKER_STORE_URL": tracker_url, "RETENTION_DAYS": ""}
    assert "not up to date: run `make migrate`" in run_cli("erase", "x", env=env).stderr
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    await store_conversation(tracker_url, "cli-conv", NOW.timestamp())

    erased = run_cli("erase", "cli-conv", env=env)
    assert erased.returncode == 0, erased.stderr
    assert "2 conversation event(s)" in erased.stdout
    assert count(make_engine(tracker_url), "events", sender_id="cli-conv") == 0

    purged = run_cli("purge", env=env)  # the profile's retention_days
    assert purged.returncode == 0 and "older than 365 days" in purged.stdout
    assert "older than 30 days" in run_cli("purge", env={**env, "RETENTION_DAYS": "30"}).stdout
    bad = run_cli("purge", env={**env, "RETENTION_DAYS": "soon"})
    assert bad.returncode == 1 and "RETENTION_DAYS" in bad.stderr


# --- the actions --------------------------------------------------------------------------------
@pytest.fixture
def clinic_env(clinic, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", str(clinic.url))
    clinic_records.connection.cache_clear()
    yield clinic
    clinic_records.connection.cache_clear()


async def test_request_human_records_the_handoff_and_pauses(clinic_env, make_tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman().run(dispatcher, make_tracker("request_human", "a person please"), domain.as_dict())
    assert events == [{"event": "pause", "timestamp": None}]
    assert [m["response"] for m in dispatcher.messages][0] in (
        "utter_handoff_open", "utter_handoff_closing", "utter_handoff_closed", "utter_handoff_bank_holiday")
    assert count(clinic_env, "handoffs", conversation_id="test-sender", status="waiting") == 1


@pytest.fixture
def database_down(tmp_path, monkeypatch):
    """A clinic database the actions cannot use (never migrated)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.db'}")
    clinic_records.connection.cache_clear()
    yield
    clinic_records.connection.cache_clear()


async def test_request_human_when_the_database_is_down_says_so_and_stays_on(database_down, make_tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await ActionRequestHuman().run(dispatcher, make_tracker("request_human"), domain.as_dict())
    assert events == []  # not paused: nobody would pick it up
    assert [m["response"] for m in dispatcher.messages] == ["utter_handoff_failed"]


async def test_delete_my_data_erases_and_marks_the_conversation_for_the_tracker_store(clinic_env, make_tracker, domain):
    submit_request(clinic_env, details("test-sender"), f"key-{uuid.uuid4()}", Settings())
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, make_tracker("affirm", "/affirm"), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_data_deleted"]
    assert {"event": "slot", "name": "data_erased", "value": True} in [
        {k: e.get(k) for k in ("event", "name", "value")} for e in events
    ]
    assert count(clinic_env, "consultation_requests") == 0
    with session_scope(clinic_env) as session:
        assert [log.trigger for log in session.query(ErasureLog).all()] == ["client"]
    assert count(clinic_env, "handoffs") == 0 and count(clinic_env, "outbox") == 0


async def test_a_request_already_delivered_is_erased_here_and_the_client_told_to_ask_for_the_copy(
    clinic_env, make_tracker, domain
):
    submit_request(clinic_env, details("test-sender"), f"key-{uuid.uuid4()}", Settings())
    with session_scope(clinic_env) as session:
        for entry in session.query(OutboxEntry).all():
            entry.status, entry.delivered_at = "delivered", NOW
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, make_tracker("affirm", "/affirm"), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_data_deleted_sent"]
    assert dispatcher.messages[0]["phone"] and dispatcher.messages[0]["email"]
    assert any(e.get("name") == "data_erased" and e.get("value") is True for e in events)
    assert count(clinic_env, "consultation_requests") == 0 and count(clinic_env, "outbox") == 0


async def test_delete_my_data_failure_is_told_and_nothing_is_marked(database_down, make_tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, make_tracker("affirm"), domain.as_dict())
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_delete_failed"]
