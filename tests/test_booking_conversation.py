"""Consultation requests end to end, over the REST channel against the real servers.

The stack is `make run`'s: the clinic database migrated, the action server, the Rasa server and
the delivery worker, with a local HTTP server standing in for the clinic's booking webhook.
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import List

import pytest
import sqlalchemy as sa

from records.signing import verify
from scripts.stack import Stack

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "smp-consult.tar.gz"
SECRET = "test-webhook-secret"

pytestmark = pytest.mark.server


class Receiver(BaseHTTPRequestHandler):
    received: List[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append({"body": body, "headers": dict(self.headers)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def stack(tmp_path_factory, webhook):
    env = {
        "BOOKING_WEBHOOK_URL": f"http://127.0.0.1:{webhook.server_port}/smp",
        "WEBHOOK_SECRET": SECRET,
        "DELIVERY_POLL_SECONDS": "0.5",
    }
    with Stack(MODEL, tmp_path_factory.mktemp("booking"), env=env, delivery=True) as running:
        yield running


def texts(messages) -> str:
    return "\n".join(message.get("text", "") for message in messages)


def rows(url: str, query: str, **params) -> list:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(query), params).all()
    finally:
        engine.dispose()


BOOKING = [
    ("I'd like to book a free consultation", "are you 18 or over"),
    ("/affirm", "Do you agree?"),
    ("/affirm", "What's your name?"),
    ("Zoë O'Brien-Smith", "best way to reach you"),
    ("07911 123456 or zoe@example.com", "studio or by video call"),
    ("By video call", "Which days and times"),
    ("weekday evenings after 6", "How would you like the clinic to contact you"),
    ("Text message", "What would you like help with"),
    ("Crown", "Do any of these apply to you"),
    ("None of these", "Here's what I have"),
]


def test_from_id_like_to_book_to_a_signed_webhook(stack):
    sender = "booking-happy"
    for message, expected in BOOKING:
        reply = texts(stack.say(sender, message))
        assert expected in reply, f"after {message!r}: {reply}"
    assert "Name: Zoë O'Brien-Smith" in reply and "+447911123456 and zoe@example.com" in reply

    reply = texts(stack.say(sender, "/affirm"))
    assert "your request is with Pendle Scalp Studio" in reply
    assert "book?name=Zo%C3%AB%20O%27Brien-Smith" in reply and "zoe%40example.com" not in reply  # no address in a link

    deadline = time.monotonic() + 60
    while not Receiver.received and time.monotonic() < deadline:
        time.sleep(0.5)
    [delivery] = Receiver.received
    assert verify(delivery["body"], SECRET, delivery["headers"]["X-SMP-Signature"])
    payload = json.loads(delivery["body"])
    assert payload["name"] == "Zoë O'Brien-Smith" and payload["phone"] == "+447911123456"
    assert payload["conversation_id"] == sender and payload["concern"] == "crown"
    assert delivery["headers"]["Idempotency-Key"] == f"{payload['idempotency_key']}:webhook"
    [(status,)] = rows(stack.database_url, "select status from outbox")
    assert status == "delivered"

    # Confirming again (an old Confirm button) makes no second request.
    stack.say(sender, "/affirm")
    assert len(rows(stack.database_url, "select id from consultation_requests")) == 1


def test_a_name_and_area_given_earlier_are_not_asked_again(stack):
    sender = "booking-early"
    stack.say(sender, "hi, I'm Sam Taylor")
    stack.say(sender, "how much is it for the crown?")
    assert "Happy to help you book" in texts(stack.say(sender, "I'd like to book a free consultation"))
    stack.say(sender, "/affirm")
    assert "best way to reach you" in texts(stack.say(sender, "/affirm"))  # no "What's your name?"
    for message in ("07911 123456", "In the studio", "Saturday morning", "Phone call"):
        reply = texts(stack.say(sender, message))
    assert "Do any of these apply to you" in reply  # no "What would you like help with?"
    summary = texts(stack.say(sender, "None of these"))
    assert "Name: Sam Taylor" in summary and "Help with: crown" in summary


def test_a_question_inside_the_form_is_answered_and_the_form_resumes(stack):
    sender = "booking-question"
    stack.say(sender, "I'd like to book a consultation")
    stack.say(sender, "/affirm")
    reply = texts(stack.say(sender, "does it hurt?"))
    assert "Discomfort varies from person to person" in reply
    assert "Do you agree?" in reply


@pytest.mark.parametrize(
    "answers, expected",
    [
        (["no"], "We only offer SMP to people aged 18 or over"),
        (["/affirm", "/deny"], "I won't take any details"),
        (["/affirm", "/affirm", "cancel"], "haven't sent or saved a request"),
    ],
)
def test_leaving_early_stores_nothing(stack, answers, expected):
    sender = f"booking-leaves-{len(answers)}"
    stack.say(sender, "can I book a consultation?")
    for answer in answers:
        reply = texts(stack.say(sender, answer))
    assert expected in reply
    assert rows(stack.database_url, "select id from consultation_requests where conversation_id = :s", s=sender) == []
    assert "Discomfort varies" in texts(stack.say(sender, "does it hurt?"))  # and the chat goes on


def test_two_wrong_answers_explain_and_offer_a_person(stack):
    sender = "booking-wrong"
    for message in ("book a consultation please", "/affirm", "/affirm", "Sam"):
        stack.say(sender, message)
    assert "couldn't read a phone number" in texts(stack.say(sender, "not telling"))
    reply = stack.say(sender, "still not telling")
    assert "I need at least one way for the clinic to reach you" in texts(reply)
    payloads = [button["payload"] for message in reply for button in message.get("buttons", [])]
    assert "/request_human" in payloads


def test_a_person_pauses_the_assistant_until_staff_resume(stack):
    sender = "handoff"
    reply = texts(stack.say(sender, "can I talk to a real person please"))
    assert "I've asked a member of the Pendle Scalp Studio team to take over this chat" in reply
    assert stack.say(sender, "hello? anyone there?") == []  # stored, not answered
    events = stack.tracker(sender)["events"]
    assert [e["text"] for e in events if e["event"] == "user"][-1] == "hello? anyone there?"
    assert rows(stack.database_url, "select status from handoffs where conversation_id = :s", s=sender) == [("waiting",)]

    resumed = stack.run(sys.executable, "-m", "scripts.resume", sender)
    assert resumed.returncode == 0, resumed.stderr
    assert "handed back to the assistant" in resumed.stdout
    assert "Discomfort varies" in texts(stack.say(sender, "does it hurt?"))
    assert rows(stack.database_url, "select status from handoffs where conversation_id = :s", s=sender) == [("resumed",)]


def test_asking_for_a_person_or_erasure_inside_the_form_leaves_it_for_that(stack):
    stack.say("form-person", "I'd like to book")
    reply = texts(stack.say("form-person", "can I talk to a real person please"))
    assert "I've asked a member of the Pendle Scalp Studio team" in reply
    assert stack.say("form-person", "hello?") == []

    stack.say("form-erase", "I'd like to book")
    stack.say("form-erase", "/affirm")
    assert "This can't be undone" in texts(stack.say("form-erase", "delete my data please"))
    assert "this chat and any request you made in it are erased" in texts(stack.say("form-erase", "/affirm"))


def test_resume_names_an_unknown_conversation(stack):
    result = stack.run(sys.executable, "-m", "scripts.resume", "nobody-here")
    assert result.returncode == 1
    assert "no conversation with the id 'nobody-here'" in result.stderr


def test_delete_my_data_erases_the_conversation_and_its_request(stack):
    sender = "erase-me"
    for message, _ in BOOKING:
        stack.say(sender, message)
    stack.say(sender, "/affirm")
    assert len(rows(stack.database_url, "select id from consultation_requests where conversation_id = :s", s=sender)) == 1

    assert "This can't be undone" in texts(stack.say(sender, "please delete my data"))
    # "already been sent to the team" too when the delivery worker had delivered the request first
    assert "erased from our records" in texts(stack.say(sender, "/affirm"))
    assert rows(stack.tracker_store_url, "select id from events where sender_id = :s", s=sender) == []
    assert rows(stack.database_url, "select id from consultation_requests where conversation_id = :s", s=sender) == []
    latest = rows(stack.database_url, "select trigger, requests_deleted from erasure_log order by id desc limit 1")
    assert latest == [("client", 1)]
