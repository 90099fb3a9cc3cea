"""Benchmarks: NLU parse time per message, REST round trip, and the Rasa server's memory.

    python -m scripts.bench --model models/smp-consult.tar.gz

Prints figures; asserts nothing (speed targets belong here, not in unit tests).
"""

import argparse
import asyncio
import logging
import statistics
import tempfile
import time
from pathlib import Path

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from scripts.stack import Stack

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def describe(label, seconds):
    ms = [s * 1000 for s in seconds]
    print(f"{label}: n={len(ms)} mean {statistics.mean(ms):.1f} ms, p50 {percentile(ms, 0.5):.1f} ms, "
          f"p95 {percentile(ms, 0.95):.1f} ms, max {max(ms):.1f} ms")


async def parse_times(model: Path, texts):
    started = time.perf_counter()
    agent = Agent.load(str(model))
    print(f"model load: {time.perf_counter() - started:.1f} s")
    await agent.parse_message("warm up")
    times = []
    for text in texts:
        started = time.perf_counter()
        await agent.parse_message(text)
        times.append(time.perf_counter() - started)
    return times


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    texts = [e.get("text") for e in load_data(str(ROOT / "tests" / "nlu" / "test_nlu.yml")).intent_examples]
    texts = (texts * (args.messages // max(len(texts), 1) + 1))[: args.messages]
    describe("NLU parse per message (in process)", asyncio.run(parse_times(args.model, texts)))

    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        with Stack(args.model, Path(workdir)) as stack:
            print(f"action server + Rasa server start: {time.perf_counter() - started:.1f} s")
            print(f"Rasa server resident memory after start: {rss_mib(stack.rasa_pid()):.0f} MiB")
            round_trips = []
            for number, text in enumerate(texts[:100]):
                started = time.perf_counter()
                stack.say(f"bench-{number % 10}", text)
                round_trips.append(time.perf_counter() - started)
            describe("REST round trip (NLU + dialogue + action server)", round_trips)
            print(f"Rasa server resident memory after {len(round_trips)} messages: {rss_mib(stack.rasa_pid()):.0f} MiB")


if __name__ == "__main__":
    main()
