"""The widget's socket.io channel against the real servers: origins, checked messages, and each
message handled once however often it is sent (channels/socketio.py)."""

import asyncio
from pathlib import Path
from typing import List

import pytest
import socketio

from scripts.stack import Stack

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "smp-consult.tar.gz"

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(MODEL, tmp_path_factory.mktemp("socketio")) as running:
        yield running


class Client:
    """A socket.io client as the widget uses the channel."""

    def __init__(self, stack: Stack, origin: str) -> None:
        self.stack = stack
        self.origin = origin
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: List[dict] = []
        self.session = asyncio.get_running_loop().create_future()
        self.sio.on("bot_uttered", self.replies.append)
        self.sio.on("session_confirm", lambda session_id: self.session.done() or self.session.set_result(session_id))

    async def __aenter__(self) -> "Client":
        await self.sio.connect(self.stack.url, headers={"Origin": self.origin}, transports=["polling"],
                               wait_timeout=30)
        return self

    async def __aexit__(self, *exc) -> None:
        # Over long-polling a polite disconnect waits for the pending poll (up to 25 s); the
        # server sees the close packet either way.
        read_loop = self.sio.eio.read_loop_task
        await self.sio.eio.disconnect(abort=True)
        if read_loop:
            read_loop.cancel()

    async def start(self, session_id=None) -> str:
        await self.sio.emit("session_request", {"session_id": session_id})
        return await asyncio.wait_for(self.session, 30)

    async def say(self, payload) -> dict:
        return await self.sio.call("user_uttered", payload, timeout=120)


def user_messages(stack: Stack, sender: str) -> List[str]:
    return [event["text"] for event in stack.tracker(sender)["events"] if event["event"] == "user"]


def test_a_site_that_is_not_allowed_cannot_connect(stack):
    async def go():
        with pytest.raises(socketio.exceptions.ConnectionError):
            async with Client(stack, "https://evil.example"):
                pass
    asyncio.run(go())


def test_a_message_sent_twice_is_handled_once_and_its_replies_sent_again(stack):
    async def go():
        async with Client(stack, stack.site_url) as first:
            session = await first.start()
            ack = await first.say({"message": "does it hurt?", "session_id": session, "message_id": "m-1"})
            first_replies = list(first.replies)
        # the connection dropped before the widget saw the acknowledgement: it sends again
        async with Client(stack, f"http://127.0.0.1:{stack.site_port}") as second:
            assert await second.start(session) == session
            again = await second.say({"message": "does it hurt?", "session_id": session, "message_id": "m-1"})
            return session, ack, first_replies, again, list(second.replies)

    session, ack, first_replies, again, second_replies = asyncio.run(go())
    assert ack == {"status": "ok", "message_id": "m-1"}
    assert first_replies[0]["text"].startswith("Discomfort varies from person to person")
    assert {"title": "Book a consultation", "payload": "/book_consultation", "content_type": "text"} \
        in first_replies[-1]["quick_replies"]
    assert [reply["id"] for reply in first_replies] == [f"m-1:{n}" for n in range(len(first_replies))]
    assert again == {"status": "ok", "message_id": "m-1", "repeated": True}
    assert second_replies == first_replies
    assert user_messages(stack, session) == ["does it hurt?"]


@pytest.mark.parametrize("payload, error", [
    ("does it hurt?", "a message must be an object"),
    ({"message": 42, "session_id": "s", "message_id": "m"}, "message must be a string"),
    ({"message": "x" * 10_001, "session_id": "s", "message_id": "m"}, "at most 10000 characters"),
    ({"message": "hi", "session_id": "", "message_id": "m"}, "session_id must be a non-empty string"),
    ({"message": "hi", "session_id": "s"}, "message_id must be a non-empty string"),
])
def test_malformed_messages_are_refused_with_a_reason(stack, payload, error):
    async def go():
        async with Client(stack, stack.site_url) as client:
            await client.start()
            return await client.say(payload), client.replies
    ack, replies = asyncio.run(go())
    assert ack["status"] == "refused"
    assert error in ack["error"]
    assert replies == []
