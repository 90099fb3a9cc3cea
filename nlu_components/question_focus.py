"""Classify the question in a long message, not the story around it.

Clients who write several sentences usually tell a story first ("I'm 34, started losing it at
the crown five years ago, my partner says...") and ask one thing at the end or in the middle. A
bag of words over the whole message is mostly story, so the intent follows the story's topic
rather than the question's. This component, placed after the tokenizer and before the
featurizers, finds the question sentences of such a message and keeps only their tokens, so the
count-vector featurizers (words, word pairs, character n-grams) see the question alone; it also
stores the question's text under `QUESTION_FOCUS` for the sentence-embedding featurizer. Short
messages, and messages with no clear question, are left whole.

The message's text, its spaCy document and so the entities (names, dates, towns, treatment
areas found anywhere in the message) are not changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# The message attribute holding the focused text (unset when the whole message is the focus).
QUESTION_FOCUS = "question_focus"
MIN_QUESTION_WORDS = "min_question_words"

_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s)|\n+")
_ASKS = re.compile(
    r"^\W*(what|whats|what's|how|hows|how's|does|do|did|can|could|is|are|am|was|will|would|should|"
    r"when|where|why|who|which|has|have|any|anyone|anybody|wondering)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: Text

    @property
    def is_question(self) -> bool:
        return self.text.rstrip().endswith("?") or bool(_ASKS.search(self.text))


def sentences(text: Text) -> List[Sentence]:
    """The message's sentences with their character spans (split after . ! ? and at line breaks)."""
    found, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        found.append((start, match.end()))
        start = match.end()
    found.append((start, len(text)))
    result = []
    for begin, end in found:
        piece = text[begin:end]
        stripped = piece.strip()
        if stripped:
            offset = begin + piece.index(stripped)
            result.append(Sentence(offset, offset + len(stripped), stripped))
    return result


def question_spans(text: Text, min_words: int) -> Optional[List[Tuple[int, int]]]:
    """The spans of the question sentences, or None when the whole message should be read.

    None when the message is one sentence, has no question sentence of at least `min_words`
    words ("any advice?" says nothing about the topic), or is all questions.
    """
    parts = sentences(text)
    if len(parts) < 2:
        return None
    if all(s.is_question for s in parts):
        return None
    questions = [s for s in parts if s.is_question and len(s.text.split()) >= min_words]
    if not questions:
        return None
    return [(s.start, s.end) for s in questions]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class QuestionFocus(GraphComponent):
    """Keeps only the question sentences' tokens of a long message for the featurizers after it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {MIN_QUESTION_WORDS: 4}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}
        self.validate_config(self._config)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        value = config.get(MIN_QUESTION_WORDS)
        if not isinstance(value, int) or value < 1:
            raise InvalidConfigException(
                f"{cls.__name__}: '{MIN_QUESTION_WORDS}' must be a positive whole number, not {value!r}."
            )

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "QuestionFocus":
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._focus(message)
        return messages

    def _focus(self, message: Message) -> None:
        text = message.get(TEXT)
        tokens = message.get(TOKENS_NAMES[TEXT])
        if not text or not tokens:
            return
        spans = question_spans(text, self._config[MIN_QUESTION_WORDS])
        if spans is None:
            return
        kept = [token for token in tokens if any(start <= token.start < end for start, end in spans)]
        if not kept:
            return
        message.set(TOKENS_NAMES[TEXT], kept)
        message.set(QUESTION_FOCUS, " ".join(text[start:end] for start, end in spans))
