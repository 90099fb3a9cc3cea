"""Rasa's FallbackClassifier, which also holds back when "none of our topics" is a close contender.

A question about SMP that no topic answers ("can it go on my beard?", "what will life be like
after?") often gets a topic intent on top with `out_of_scope` a clear second: the classifier
half-knows that it does not know. Answering the top topic then answers a question the client did
not ask, with confidence. So besides Rasa's two tests (top confidence below `threshold`, top two
closer than `ambiguity_threshold`), this one predicts `nlu_fallback` when `out_of_scope` has at
least `out_of_scope_threshold` of the confidence without being on top. The assistant then offers
the likely topics and "something else" instead of guessing (actions/fallback.py). When
`out_of_scope` is on top it stays: that is the honest decline.

The threshold is chosen on real questions (`make eval-real` prints the sweep), not on the
project's own test set.
"""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

OUT_OF_SCOPE = "out_of_scope"
OUT_OF_SCOPE_THRESHOLD = "out_of_scope_threshold"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScopeFallbackClassifier(FallbackClassifier):
    """FallbackClassifier plus: fall back when out_of_scope is a strong runner-up."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # 1.0 switches the extra test off (a runner-up never has all the confidence).
        return {**FallbackClassifier.get_default_config(), OUT_OF_SCOPE_THRESHOLD: 1.0}

    def __init__(self, config: Dict[Text, Any]) -> None:
        config = {**self.get_default_config(), **config}
        value = config[OUT_OF_SCOPE_THRESHOLD]
        if not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise InvalidConfigException(
                f"{self.__class__.__name__}: '{OUT_OF_SCOPE_THRESHOLD}' must be a number above 0 "
                f"and at most 1, not {value!r}."
            )
        super().__init__(config)

    def _should_fallback(self, message: Message) -> bool:
        return super()._should_fallback(message) or self._out_of_scope_close(message)

    def _out_of_scope_close(self, message: Message) -> bool:
        top = (message.data.get(INTENT) or {}).get(INTENT_NAME_KEY)
        if top is None or top == OUT_OF_SCOPE:
            return False
        share = next(
            (
                entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0
                for entry in message.data.get(INTENT_RANKING_KEY) or []
                if entry.get(INTENT_NAME_KEY) == OUT_OF_SCOPE
            ),
            0.0,
        )
        return share >= self.component_config[OUT_OF_SCOPE_THRESHOLD]
