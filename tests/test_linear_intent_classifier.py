"""The linear intent classifier: feature weighting, training, ranking, saving and loading."""

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.linear_intent_classifier import FeatureWeighting, LinearIntentClassifier

WORDS = ["hurt", "pain", "numb", "price", "cost", "cheap", "the", "smp"]


def message(text, intent=None, dense=None):
    """A message with the sentence features a count-vector and a dense featurizer would give it."""
    counts = np.array([[text.split().count(word) for word in WORDS]], dtype=float)
    built = Message(data={TEXT: text, **({"intent": intent} if intent else {})})
    built.add_features(Features(sp.coo_matrix(counts), "sentence", TEXT, "counts"))
    if dense is not False:
        vector = np.array([[len(text), 1.0]]) if dense is None else dense
        built.add_features(Features(vector, "sentence", TEXT, "vectors"))
    return built


TRAINING = [
    message("does the smp hurt", "ask_pain"),
    message("the pain of smp", "ask_pain"),
    message("is it numb hurt", "ask_pain"),
    message("what does the smp cost", "ask_cost"),
    message("the price", "ask_cost"),
    message("is it cheap cost", "ask_cost"),
]


@pytest.fixture
def storage(tmp_path):
    (tmp_path / "storage").mkdir()
    return LocalModelStorage(tmp_path / "storage")


def classifier(storage, **config):
    context = ExecutionContext(graph_schema=None, node_name="linear")
    return LinearIntentClassifier.create(
        {**LinearIntentClassifier.get_default_config(), **config}, storage, Resource("linear"), context
    )


def test_sparse_blocks_are_tf_idf_weighted_and_every_block_has_unit_length():
    weighting = FeatureWeighting.fit(TRAINING)
    matrix = weighting.transform(TRAINING).toarray()
    counts, dense = matrix[:, : len(WORDS)], matrix[:, len(WORDS) :]
    assert np.allclose(np.linalg.norm(counts, axis=1), 1.0)
    assert np.allclose(np.linalg.norm(dense, axis=1), 1.0)
    # "hurt" and "the" appear once each in the first message; "the" is in most messages, so it
    # weighs less.
    first = counts[0]
    assert first[WORDS.index("hurt")] > first[WORDS.index("the")] > 0


def test_a_block_missing_from_a_message_counts_as_zeros():
    weighting = FeatureWeighting.fit(TRAINING)
    row = weighting.transform([message("price", dense=False)]).toarray()[0]
    assert row.shape == (len(WORDS) + 2,)
    assert row[len(WORDS) :].tolist() == [0.0, 0.0] and row[WORDS.index("price")] > 0


def test_trained_classifier_ranks_intents_with_probabilities(storage):
    component = classifier(storage, ranking_length=1)
    component.train(TrainingData(TRAINING))
    pain, cost = message("will it hurt"), message("how much does it cost")
    component.process([pain, cost])
    assert pain.get("intent")["name"] == "ask_pain"
    assert cost.get("intent")["name"] == "ask_cost"
    assert 0.5 < pain.get("intent")["confidence"] <= 1.0
    assert len(pain.get("intent_ranking")) == 1


def test_a_message_with_nothing_to_classify_gets_no_intent_at_zero_confidence(storage):
    # An empty or blank message reaches the classifier with no features. It must still get an
    # intent entry, as DIET gives one, or the FallbackClassifier cannot send it to "rephrase"
    # and the user gets no reply at all (tests/test_server.py has the conversation).
    component = classifier(storage)
    component.train(TrainingData(TRAINING))
    pain, blank = message("will it hurt"), Message(data={TEXT: "   "})
    component.process([blank, pain])
    assert blank.get("intent") == {"name": None, "confidence": 0.0}
    assert blank.get("intent_ranking") == []
    assert pain.get("intent")["name"] == "ask_pain"


def test_a_saved_classifier_loads_and_gives_the_same_answer(storage):
    trained = classifier(storage)
    resource = trained.train(TrainingData(TRAINING))
    context = ExecutionContext(graph_schema=None, node_name="linear")
    loaded = LinearIntentClassifier.load(LinearIntentClassifier.get_default_config(), storage, resource, context)
    before, after = message("numb pain"), message("numb pain")
    trained.process([before])
    loaded.process([after])
    assert before.get("intent_ranking") == after.get("intent_ranking")
    assert {entry["name"] for entry in after.get("intent_ranking")} == {"ask_pain", "ask_cost"}
    assert sum(entry["confidence"] for entry in after.get("intent_ranking")) == pytest.approx(1.0)


@pytest.mark.parametrize("value", [0, -1.0, "strong"])
def test_a_bad_regularisation_setting_is_refused_by_name(storage, value):
    with pytest.raises(InvalidConfigException, match="'C'"):
        classifier(storage, C=value)
