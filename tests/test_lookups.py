"""The lookup tables and synonyms behind the treatment and condition entities."""

import re
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.answers import CONDITIONS
from actions.profile import TREATMENTS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def training_data():
    return load_data(str(ROOT / "data" / "nlu"))


def lookup(training_data, name):
    return next(table["elements"] for table in training_data.lookup_tables if table["name"] == name)


@pytest.mark.parametrize("entity, canonical", [("treatment", TREATMENTS), ("condition", CONDITIONS)])
def test_every_lookup_term_maps_to_a_value_the_answers_know(training_data, entity, canonical):
    synonyms = training_data.entity_synonyms
    for term in lookup(training_data, entity):
        value = synonyms.get(term.lower(), term.replace(" ", "_"))
        assert value in canonical, f"{entity} term '{term}' maps to '{value}'"


@pytest.mark.parametrize("entity, canonical", [("treatment", TREATMENTS), ("condition", CONDITIONS)])
def test_every_value_has_lookup_terms(training_data, entity, canonical):
    synonyms = training_data.entity_synonyms
    found = {synonyms.get(t.lower(), t.replace(" ", "_")) for t in lookup(training_data, entity)}
    assert found == set(canonical)


def test_annotated_examples_are_found_by_the_lookup_with_their_value(training_data):
    """RegexEntityExtractor must find every annotation the training data makes, with the same value."""
    synonyms = training_data.entity_synonyms
    for example in training_data.training_examples:
        for entity in example.get("entities") or []:
            if entity["entity"] not in ("treatment", "condition"):
                continue
            text = example.get("text")[entity["start"]:entity["end"]].lower()
            terms = [t.lower() for t in lookup(training_data, entity["entity"])]
            assert text in terms, f"'{text}' ({entity['entity']}) is annotated but not in the lookup table"
            assert synonyms.get(text, text) == entity["value"], f"'{text}' should map to {entity['value']}"


def test_longer_terms_come_first_so_they_match_whole(training_data):
    for name in ("treatment", "condition"):
        lengths = [len(term) for term in lookup(training_data, name)]
        assert lengths == sorted(lengths, reverse=True)


def test_a_term_has_one_meaning():
    """Rasa's synonyms are global: the same term must not be declared twice."""
    seen = {}
    for path in (ROOT / "data" / "nlu" / "lookups").glob("*.yml"):
        block = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("  - synonym:"):
                block = line.split(":", 1)[1].strip()
            elif line.startswith("  - lookup:"):
                block = None
            elif block and re.match(r"\s+- ", line):
                term = line.strip()[2:]
                assert seen.setdefault(term, block) == block, f"'{term}' maps to {seen[term]} and {block}"
