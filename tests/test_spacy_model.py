"""The spaCy model behind SpacyNLP: named in config.yml, loaded without unused components."""

from pathlib import Path

import pytest
import spacy
import yaml
from rasa.nlu.utils.spacy_utils import SpacyNLP

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def nlp():
    return SpacyNLP.load_model("en_core_web_md").model


def test_config_names_the_model_not_a_path():
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    spacy_nlp = next(component for component in pipeline if component["name"] == "SpacyNLP")
    assert spacy_nlp["model"] == "en_core_web_md"


def test_only_the_components_the_pipeline_uses_are_loaded(nlp):
    assert nlp.pipe_names == ["tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner"]
    assert nlp.meta["version"] == "3.8.0"


def test_vectors_and_entities_work(nlp):
    doc = nlp("My name is Priya Patel, I live in Blackburn and Friday suits me.")
    assert doc.vector.shape == (300,) and doc.vector.any()
    found = {(ent.text, ent.label_) for ent in doc.ents}
    assert {("Priya Patel", "PERSON"), ("Blackburn", "GPE"), ("Friday", "DATE")} <= found


def test_lemmas_are_there_for_count_vectors(nlp):
    assert [token.lemma_ for token in nlp("sessions hurting")] == ["session", "hurt"]
