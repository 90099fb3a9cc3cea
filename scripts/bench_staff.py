"""`make bench-staff`: the staff console's speed with 10,000 conversations on SQLite.

Seeds a temporary tracker store (Rasa's `events` table, as Rasa writes it) and clinic database,
then times, in process, the conversation list, a search and a transcript page, and prints p50
and p95 for each. The target is a p95 under 300 ms.

    python -m scripts.bench_staff [--conversations 10000] [--runs 40]
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from starlette.testclient import TestClient

from console.accounts import create_user
from console.app import ConsoleSettings, create_app
from console.conversations import EVENTS
from records.db import make_engine, migrate

QUESTIONS = [("does it hurt?", "ask_pain"), ("how much for the crown?", "ask_cost"),
             ("how long does it last?", "ask_longevity"), ("can women have it?", "ask_suitability"),
             ("where are you?", "ask_location"), ("I take warfarin, is that ok?", "ask_suitability")]
PASSWORD = "benchmark password"


def seed(url: str, conversations: int) -> None:
    engine = make_engine(url)
    EVENTS.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)"))
    rng = random.Random(7)
    start = time.time() - 90 * 86400
    rows = []
    for n in range(conversations):
        sender, at = f"conversation-{n:05d}", start + n * 700
        for text, intent in rng.sample(QUESTIONS, 3):
            at += rng.randint(5, 120)
            user = {"event": "user", "timestamp": at, "text": text, "input_channel": rng.choice(["socketio", "rest"]),
                    "parse_data": {"intent": {"name": intent, "confidence": rng.random()}, "entities": []}}
            rows += [
                dict(sender_id=sender, type_name="user", timestamp=at, intent_name=intent, action_name=None, data=json.dumps(user)),
                dict(sender_id=sender, type_name="action", timestamp=at, intent_name=None, action_name="action_answer_question",
                     data=json.dumps({"event": "action", "name": "action_answer_question", "timestamp": at})),
                dict(sender_id=sender, type_name="bot", timestamp=at, intent_name=None, action_name=None,
                     data=json.dumps({"event": "bot", "timestamp": at, "text": "An answer about SMP. " * 8, "data": {}})),
                dict(sender_id=sender, type_name="action", timestamp=at, intent_name=None, action_name="action_listen",
                     data=json.dumps({"event": "action", "name": "action_listen", "timestamp": at})),
            ]
    with engine.begin() as connection:
        for chunk in range(0, len(rows), 20_000):
            connection.execute(EVENTS.insert(), rows[chunk:chunk + 20_000])
    engine.dispose()


def timed(client: TestClient, path: str, runs: int) -> list:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"bench-staff: {path} answered {response.status_code}")
    return samples


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        tracker_url, clinic_url = f"sqlite:///{Path(workdir) / 'tracker.db'}", f"sqlite:///{Path(workdir) / 'clinic.db'}"
        started = time.perf_counter()
        seed(tracker_url, args.conversations)
        migrate(clinic_url)
        create_user(make_engine(clinic_url), "bench@clinic.example", PASSWORD, "staff")
        print(f"bench-staff: seeded {args.conversations:,} conversations "
              f"({args.conversations * 12:,} events) in {time.perf_counter() - started:.1f} s")
        app = create_app(ConsoleSettings("b" * 40, clinic_url, tracker_url))
        with TestClient(app) as client:
            page = client.get("/login").text
            token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            client.post("/login", data={"email": "bench@clinic.example", "password": PASSWORD, "csrf_token": token})
            print(f"{'page':<34}{'p50 ms':>8}{'p95 ms':>8}")
            worst = 0.0
            for label, path in (("conversation list (newest 50)", "/conversations"),
                                ("search 'warfarin'", "/conversations?q=warfarin"),
                                ("transcript", f"/conversations/conversation-{args.conversations // 2:05d}")):
                samples = sorted(timed(client, path, args.runs))
                p95 = samples[int(0.95 * (len(samples) - 1))]
                worst = max(worst, p95)
                print(f"{label:<34}{statistics.median(samples):>8.1f}{p95:>8.1f}")
    print(f"bench-staff: worst p95 {worst:.0f} ms (target: under 300 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
