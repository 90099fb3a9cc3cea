"""The NLU data: no example trains two intents, and the held-out test set is really held out."""

from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def examples(path: Path):
    for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu", []):
        if "intent" in block:
            for line in block["examples"].splitlines():
                text = line.strip()[2:].strip()
                if text:
                    yield block["intent"], text


def normalised(text: str) -> str:
    return " ".join(text.lower().split())


def training_examples():
    return [pair for path in sorted((ROOT / "data" / "nlu").glob("*.yml")) for pair in examples(path)]


def test_no_training_example_belongs_to_two_intents():
    intents = defaultdict(set)
    for intent, text in training_examples():
        intents[normalised(text)].add(intent)
    assert {text: sorted(found) for text, found in intents.items() if len(found) > 1} == {}


def test_the_test_set_shares_no_example_with_the_training_data():
    training = {normalised(text) for _, text in training_examples()}
    for name in ("test_nlu.yml", "fallback.yml"):
        shared = [text for _, text in examples(ROOT / "tests" / "nlu" / name) if normalised(text) in training]
        assert shared == [], f"{name}: also in the training data: {shared}"
