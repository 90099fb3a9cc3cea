"""QuestionFocus: a long message is featurized by its question, a short one as it is."""

import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.question_focus import QUESTION_FOCUS, QuestionFocus, question_spans, sentences

STORY = (
    "I'm 41 and lost most of it at the crown over ten years. My partner keeps saying I should just "
    "shave it all off. Will it look natural up close in daylight? Thanks in advance."
)


def focused(text: str, **config) -> Message:
    message = Message(data={"text": text})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process([message])
    QuestionFocus(config).process([message])
    return message


def test_sentences_keep_their_place_in_the_message():
    parts = sentences("First one.  Second one?\nThird")
    assert [(p.text, p.start, p.end) for p in parts] == [("First one.", 0, 10), ("Second one?", 12, 23), ("Third", 24, 29)]
    assert [p.is_question for p in parts] == [False, True, False]


@pytest.mark.parametrize(
    "text",
    [
        "does it hurt?",  # one sentence
        "My crown is thin. Any advice?",  # the question is too short to say what it is about
        "Does it hurt? How long does each session take?",  # all questions: read it whole
        "I have alopecia and I am thinking about it.",  # no question at all
    ],
)
def test_short_or_questionless_messages_are_read_whole(text):
    assert question_spans(text, 4) is None
    message = focused(text)
    assert message.get(QUESTION_FOCUS) is None
    assert [t.text for t in message.get(TOKENS_NAMES["text"])] == text.replace("?", "").replace(".", "").split()


def test_a_story_then_a_question_keeps_only_the_question_tokens():
    message = focused(STORY)
    assert message.get(QUESTION_FOCUS) == "Will it look natural up close in daylight?"
    assert [t.text for t in message.get(TOKENS_NAMES["text"])] == ["Will", "it", "look", "natural", "up", "close", "in", "daylight"]
    assert message.get("text") == STORY  # the text itself (and so the transcript and entities) is unchanged


def test_a_question_in_the_middle_of_a_story_is_found():
    text = "Had a transplant in 2019 that didn't take. How much would you charge to cover the scar? It's about 20cm long."
    assert focused(text).get(QUESTION_FOCUS) == "How much would you charge to cover the scar?"


def test_training_examples_get_the_same_focus_as_live_messages():
    example = Message(data={"text": STORY, "intent": "ask_results"})
    WhitespaceTokenizer(WhitespaceTokenizer.get_default_config()).process_training_data(TrainingData([example]))
    QuestionFocus({}).process_training_data(TrainingData([example]))
    assert example.get(QUESTION_FOCUS) == focused(STORY).get(QUESTION_FOCUS)


def test_min_question_words_is_checked():
    with pytest.raises(InvalidConfigException, match="min_question_words"):
        QuestionFocus({"min_question_words": 0})
