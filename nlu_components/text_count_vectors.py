"""Count vectors of the message text only, for n-gram blocks that only the intent classifier reads.

Rasa's CountVectorsFeaturizer with the word analyzer also featurizes intent and action names for
the dialogue policy. Those are single tokens, so a featurizer of word pairs (min_ngram 2) finds no
vocabulary in them, leaves its vectorizer untrained and then fails in training when it is asked
to featurize them ("Vocabulary not fitted or provided"). This one featurizes the user's text and
nothing else; its configuration is CountVectorsFeaturizer's.
"""

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import TEXT


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class TextCountVectorsFeaturizer(CountVectorsFeaturizer):
    """CountVectorsFeaturizer restricted to the message text."""

    @staticmethod
    def _attributes_for(analyzer: Text) -> List[Text]:
        return [TEXT]
