"""The NLU data: no example trains two intents, and the held-out test set is really held out."""

from collections import defaultdict
from pathlib import Path

import pytest
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


REAL_QUESTIONS = ROOT.parent / "shared" / "nlu-real" / "real_questions_dev.tsv"


def words(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def test_no_real_question_is_copied_into_the_project():
    """The real questions (../shared/nlu-real, never part of the project) measure us; a copy would flatter."""
    import csv

    if not REAL_QUESTIONS.is_file():
        pytest.skip(f"no real-question set at {REAL_QUESTIONS}: nothing to compare against")
    with REAL_QUESTIONS.open(encoding="utf-8") as handle:
        real = {words(row["text"]) for row in csv.DictReader(handle, delimiter="\t")}
    ours = [text for _, text in training_examples()]
    for name in ("test_nlu.yml", "fallback.yml"):
        ours += [text for _, text in examples(ROOT / "tests" / "nlu" / name)]
    copied = [text for text in ours if words(text) in real or any(len(r) > 25 and r in words(text) for r in real)]
    assert copied == []
