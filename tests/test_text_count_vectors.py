"""Word-pair count vectors of the message text only, trained beside the dialogue's action names."""

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ACTION_NAME, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.text_count_vectors import TextCountVectorsFeaturizer

PAIRS = {"min_ngram": 2, "max_ngram": 2}


@pytest.fixture
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def featurizer(cls, storage, name, **config):
    context = ExecutionContext(graph_schema=None, node_name=name)
    return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)


def tokenized(data: TrainingData) -> TrainingData:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    return tokenizer.process_training_data(data)


def training_data() -> TrainingData:
    """What `rasa train` gives the featurizers: user messages and the stories' one-word action names."""
    return tokenized(
        TrainingData(
            [
                Message(data={TEXT: "does it hurt much", INTENT: "ask_pain"}),
                Message(data={TEXT: "how much does it cost", INTENT: "ask_cost"}),
                Message(data={ACTION_NAME: "utter_greet"}),
                Message(data={ACTION_NAME: "action_listen"}),
            ]
        )
    )


def pairs_of(message: Message, attribute: str):
    _, sentence = message.get_sparse_features(attribute)
    return sentence


def test_rasa_own_featurizer_of_word_pairs_cannot_featurize_action_names(storage):
    data = training_data()
    counts = featurizer(CountVectorsFeaturizer, storage, "rasa_pairs", **PAIRS)
    counts.train(data)
    with pytest.raises(Exception, match="Vocabulary not fitted"):
        counts.process_training_data(data)


def test_word_pairs_of_the_text_and_nothing_else(storage):
    data = training_data()
    pairs = featurizer(TextCountVectorsFeaturizer, storage, "text_pairs", **PAIRS)
    pairs.train(data)
    pairs.process_training_data(data)

    hurt, cost, greet, listen = data.training_examples
    # "does it", "it hurt", "hurt much"; "how much", "much does", "does it", "it cost"
    assert pairs_of(hurt, TEXT).features.sum() == 3
    assert pairs_of(cost, TEXT).features.sum() == 4
    assert pairs_of(greet, ACTION_NAME) is None and pairs_of(listen, ACTION_NAME) is None
    assert pairs_of(hurt, INTENT) is None


def test_a_new_message_gets_the_pairs_it_shares_with_training(storage):
    data = training_data()
    pairs = featurizer(TextCountVectorsFeaturizer, storage, "text_pairs", **PAIRS)
    pairs.train(data)
    [message] = tokenized(TrainingData([Message(data={TEXT: "does it hurt at all"})])).training_examples
    pairs.process([message])
    # Of "does it", "it hurt", "hurt at", "at all", the first two were seen in training.
    assert pairs_of(message, TEXT).features.sum() == 2


def test_saved_and_loaded_it_gives_the_same_features(storage):
    data = training_data()
    pairs = featurizer(TextCountVectorsFeaturizer, storage, "text_pairs", **PAIRS)
    pairs.train(data)
    context = ExecutionContext(graph_schema=None, node_name="text_pairs")
    config = {**TextCountVectorsFeaturizer.get_default_config(), **PAIRS}
    loaded = TextCountVectorsFeaturizer.load(config, storage, Resource("text_pairs"), context)
    first, second = (
        tokenized(TrainingData([Message(data={TEXT: "how much does it hurt"})])).training_examples[0] for _ in range(2)
    )
    pairs.process([first])
    loaded.process([second])
    assert (pairs_of(first, TEXT).features != pairs_of(second, TEXT).features).nnz == 0
    assert pairs_of(first, TEXT).features.sum() == 4  # "how much", "much does", "does it", "it hurt"
