"""action_answer_question and action_greet, run as the action server runs them."""

from actions.faq import ActionAnswerQuestion, ActionGreet


async def test_pain_question_is_answered_with_the_clinic_numbing_policy(dispatcher, make_tracker, domain, profile):
    events = await ActionAnswerQuestion().run(dispatcher, make_tracker("ask_pain", "does it hurt?"), domain.as_dict())
    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_pain"]
    assert dispatcher.messages[0]["numbing"] == profile.numbing
    assert dispatcher.messages[0]["clinic_name"] == "Pendle Scalp Studio"


async def test_cost_question_naming_the_crown(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_cost", "how much for the crown?", {"treatment": ["crown"]})
    await ActionAnswerQuestion().run(dispatcher, tracker, domain.as_dict())
    first = dispatcher.messages[0]
    assert (first["response"], first["price_from"], first["price_to"]) == ("utter_cost_treatment", "£700", "£1,200")


async def test_red_flag_note_is_sent_first(dispatcher, make_tracker, domain):
    tracker = make_tracker("ask_suitability", "my hair fell out in clumps last month, can I have it?")
    await ActionAnswerQuestion().run(dispatcher, tracker, domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_see_gp_sudden_hair_loss", "utter_suitability", "utter_suitability_check"]


async def test_entities_without_a_text_value_are_ignored(dispatcher, domain, make_tracker):
    tracker = make_tracker("ask_cost", "price?")
    tracker.latest_message["entities"] = [{"entity": "treatment", "value": None}, {"entity": "treatment", "value": " "}]
    await ActionAnswerQuestion().run(dispatcher, tracker, domain.as_dict())
    assert dispatcher.messages[0]["response"] == "utter_cost_overview"


async def test_greeting_names_the_clinic_and_says_the_sample_clinic_is_a_demo(dispatcher, make_tracker, domain):
    await ActionGreet().run(dispatcher, make_tracker("greet", "hi"), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_demo_clinic", "utter_greet"]
    assert dispatcher.messages[-1]["clinic_name"] == "Pendle Scalp Studio"


async def test_a_real_clinics_greeting_has_no_demo_note(dispatcher, make_tracker, domain, profile, monkeypatch):
    monkeypatch.setattr("actions.faq.get_profile", lambda: profile.copy(update={"sample": False}))
    await ActionGreet().run(dispatcher, make_tracker("greet", "hi"), domain.as_dict())
    assert [m["response"] for m in dispatcher.messages] == ["utter_greet"]
