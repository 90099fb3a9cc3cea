"""The real servers, as `make run` starts them: REST answers, bad input, and a restart.

These start the action server and the Rasa server with the trained model (`make train`), on free
ports, with conversations in a SQLite file of their own.
"""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from scripts.stack import Stack

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "smp-consult.tar.gz"

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(MODEL, tmp_path_factory.mktemp("stack")) as running:
        yield running


def texts(messages):
    return "\n".join(message.get("text", "") for message in messages)


def test_pain_question_gets_the_clinic_pain_answer(stack, profile):
    messages = stack.say("pain-question", "does it hurt?")
    answer = texts(messages)
    assert "Discomfort varies from person to person" in answer
    assert profile.numbing in answer
    payloads = [button["payload"] for message in messages for button in message.get("buttons", [])]
    assert "/book_consultation" in payloads


def test_cost_question_naming_a_treatment_quotes_its_range(stack):
    answer = texts(stack.say("cost-question", "how much is it for the crown?"))
    assert "Crown at Pendle Scalp Studio usually costs £700 to £1,200" in answer


def test_greeting_says_it_is_the_clinics_automated_assistant(stack):
    answer = texts(stack.say("greeting", "hello"))
    assert "Pendle Scalp Studio's automated assistant" in answer
    assert "medical advice" in answer


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   \n\t ",
        "a" * 5000,
        "does it hurt? " * 360,
        "😀😀😀🙏",
        "¿Cuánto cuesta el tratamiento?",
        "Wie viel kostet das?",
        "<script>alert('x')</script><b>hi</b>",
        "'; DROP TABLE events; --",
        "\u0000\u0007 control characters",
    ],
    ids=["empty", "whitespace", "5000-chars", "5000-chars-words", "emoji", "spanish", "german", "html", "sql", "control"],
)
def test_awkward_messages_get_a_sensible_reply_and_the_conversation_goes_on(stack, message):
    sender = f"awkward-{abs(hash(message))}"
    response = stack.post(json.dumps({"sender": sender, "message": message}))
    assert response.status_code == 200, response.text
    replies = response.json()
    assert isinstance(replies, list) and replies, "no reply at all"
    assert all("<script>" not in reply.get("text", "") for reply in replies)
    follow_up = texts(stack.say(sender, "does it hurt?"))
    assert "Discomfort varies from person to person" in follow_up


@pytest.mark.parametrize(
    "body",
    [
        "this is not json",
        "[]",
        "{}",
        '{"sender": "x"}',
        '{"message": "hello"}',
        '{"sender": "x", "message": ["a", "list"]}',
        '{"sender": {"nested": true}, "message": "hi"}',
        '{"sender": "   ", "message": "hi"}',
        json.dumps({"sender": "x", "message": "a" * 10_001}),
    ],
    ids=["not-json", "list", "empty-object", "no-message", "no-sender", "message-list", "sender-object",
         "blank-sender", "over-10000-chars"],
)
def test_malformed_requests_get_a_clear_client_error(stack, body):
    response = stack.post(body)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.text.strip()


def test_conversation_survives_a_server_restart(tmp_path):
    """After a restart the second 'not understood' in a row gets the contact details: history was kept.

    `/nlu_fallback` is Rasa's payload syntax for the intent itself, so the test does not depend on
    how the model scores a nonsense message.
    """
    stack = Stack(MODEL, tmp_path)
    with stack:
        first = texts(stack.say("restart-test", "/nlu_fallback"))
    assert "Could you put it another way" in first
    with Stack(MODEL, tmp_path, tracker_store_url=stack.tracker_store_url) as restarted:
        second = texts(restarted.say("restart-test", "/nlu_fallback"))
    assert "call 01632 960 418" in second
    engine = sa.create_engine(stack.tracker_store_url)
    with engine.connect() as connection:
        users = connection.execute(
            sa.text("select count(*) from events where sender_id = 'restart-test' and type_name = 'user'")
        ).scalar()
    assert users == 2
