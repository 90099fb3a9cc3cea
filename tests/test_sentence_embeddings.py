"""The sentence-embedding featurizer: the installed model package, the encoder and the component."""

from pathlib import Path

import numpy as np
import pytest
import yaml
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.sentence_embeddings import (
    SentenceEmbeddingFeaturizer,
    SentenceEncoder,
    model_directory,
)

ROOT = Path(__file__).resolve().parent.parent
COMPONENT = "nlu_components.sentence_embeddings.SentenceEmbeddingFeaturizer"


@pytest.fixture(scope="module")
def featurizer() -> SentenceEmbeddingFeaturizer:
    config = SentenceEmbeddingFeaturizer.get_default_config()
    return SentenceEmbeddingFeaturizer.create(config, None, None, None)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def test_config_uses_the_component_with_the_installed_model_not_a_path():
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    names = [component["name"] for component in pipeline]
    assert COMPONENT in names
    entry = pipeline[names.index(COMPONENT)]
    assert entry["model_package"] == "all_minilm_l6_v2"
    # It adds sentence features for the intent classifier, so it must come before it.
    assert names.index(COMPONENT) < names.index("nlu_components.linear_intent_classifier.LinearIntentClassifier")


def test_the_model_package_holds_the_model_files():
    directory = model_directory("all_minilm_l6_v2")
    for name in ("config.json", "model.safetensors", "vocab.txt", "tokenizer.json"):
        assert (directory / name).is_file(), name
    # The pooling the model card prescribes is the pooling the encoder uses.
    pooling = yaml.safe_load((directory / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] is True


def test_a_missing_model_package_says_how_to_install_it():
    with pytest.raises(ImportError, match="make install"):
        model_directory("no_such_model_package")


@pytest.mark.parametrize("key, value", [("batch_size", 0), ("max_length", "long")])
def test_bad_settings_are_refused_with_the_setting_named(key, value):
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), key: value}
    with pytest.raises(InvalidConfigException, match=key):
        SentenceEmbeddingFeaturizer(config, encoder=None)


def test_vectors_are_unit_length_and_paraphrases_are_close(featurizer):
    encoder: SentenceEncoder = featurizer.encoder
    pain, paraphrase, cost = encoder.encode(
        ["Does SMP hurt?", "how painful is the scalp tattoo", "How much is a hairline?"]
    )
    assert pain.shape == (384,)
    assert np.allclose([np.linalg.norm(pain), np.linalg.norm(cost)], 1.0, atol=1e-5)
    assert cosine(pain, paraphrase) > cosine(pain, cost) + 0.2


def test_a_message_gets_the_same_vector_alone_or_in_a_padded_batch(featurizer):
    encoder: SentenceEncoder = featurizer.encoder
    text = "will people be able to tell I've had it done?"
    alone = encoder.encode([text])[0]
    batched = encoder.encode(["hi", text, "a much longer message " * 10])[1]
    assert np.allclose(alone, batched, atol=1e-4)


def test_long_messages_are_cut_not_refused(featurizer):
    vector = featurizer.encoder.encode(["does it hurt " * 2000])[0]
    assert np.isfinite(vector).all() and np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)


def test_process_adds_one_sentence_feature_per_message_with_text(featurizer):
    messages = [Message(data={TEXT: "do I need to shave my head first?"}), Message(data={})]
    featurizer.process(messages)
    (feature,) = messages[0].features
    assert (feature.type, feature.attribute, feature.origin) == ("sentence", TEXT, "SentenceEmbeddingFeaturizer")
    assert feature.features.shape == (1, 384)
    assert messages[1].features == []


def test_training_examples_are_featurized_in_batches(featurizer):
    texts = [f"question number {number} about aftercare" for number in range(70)]
    data = TrainingData([Message(data={TEXT: text, "intent": "ask_aftercare"}) for text in texts])
    featurizer.process_training_data(data)
    vectors = [message.get_dense_features(TEXT)[1].features[0] for message in data.training_examples]
    assert len(vectors) == 70
    # 70 messages span two batches of 64; the last one is the same as when encoded alone.
    assert np.allclose(vectors[-1], featurizer.encoder.encode([texts[-1]])[0], atol=1e-4)


def test_the_graph_is_traced_at_load_once_for_every_batch_shape(featurizer):
    # Traced when the model loads, so the first user's message does not wait for it, and not
    # again for other batch sizes or message lengths.
    embed = featurizer.encoder._embed
    assert embed.experimental_get_tracing_count() == 1
    featurizer.encoder.encode(["does it hurt?", "how much is a full head at your clinic in Burnley?"])
    featurizer.encoder.encode(["hi"] * 3)
    assert embed.experimental_get_tracing_count() == 1
