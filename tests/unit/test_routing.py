"""Choosing a topic from Rasa's parse result, and refusing to guess below the threshold."""

from bot.core.routing import chosen_topic, named_type_topic, selected_topic

KNOWN = {"ivig_dose", "side_effects"}


def parse(key="faq/ivig_dose", confidence=0.9, entities=(), intent="faq"):
    return {
        "intent": {"name": intent, "confidence": 0.99},
        "entities": list(entities),
        "response_selector": {
            "faq": {"response": {"intent_response_key": key, "confidence": confidence}}
        },
    }


def test_a_confident_selection_is_answered():
    assert selected_topic(parse(), KNOWN, 0.5) == ("ivig_dose", 0.9)


def test_a_selection_below_threshold_is_not_answered():
    assert selected_topic(parse(confidence=0.3), KNOWN, 0.5) == (None, 0.3)


def test_the_threshold_itself_is_enough():
    assert selected_topic(parse(confidence=0.5), KNOWN, 0.5)[0] == "ivig_dose"


def test_a_button_topic_wins_over_the_selector():
    message = parse(entities=[{"entity": "faq_topic", "value": "side_effects"}], confidence=0.1)
    assert selected_topic(message, KNOWN, 0.5) == ("side_effects", 1.0)


def test_an_unknown_topic_from_a_payload_is_ignored():
    assert chosen_topic(parse(entities=[{"entity": "faq_topic", "value": "crypto"}]), KNOWN) is None


def test_a_full_retrieval_intent_name_selects_its_topic():
    assert chosen_topic({"intent": {"name": "faq/side_effects"}}, KNOWN) == "side_effects"


def test_a_message_without_selector_output_has_no_topic():
    assert selected_topic({"intent": {"name": "faq"}}, KNOWN, 0.5) == (None, 0.0)


def user(intent):
    return {"event": "user", "parse_data": {"intent": {"name": intent}}}


def test_a_message_naming_one_known_type_names_its_topic():
    known = KNOWN | {"dermatomyositis"}
    dm = {"entity": "myositis_type", "value": "dermatomyositis"}
    assert named_type_topic(parse(entities=[dm], intent="inform"), known) == "dermatomyositis"


def test_two_types_or_an_unknown_one_name_no_topic():
    dm = {"entity": "myositis_type", "value": "dermatomyositis"}
    pm = {"entity": "myositis_type", "value": "polymyositis"}
    known = KNOWN | {"dermatomyositis", "polymyositis"}
    assert named_type_topic(parse(entities=[dm, pm]), known) is None
    assert named_type_topic(parse(entities=[dm]), KNOWN) is None


def test_consecutive_fallbacks_count_only_the_latest_run():
    from bot.core.routing import consecutive_fallbacks

    events = [user("nlu_fallback"), user("faq"), {"event": "action"}, user("nlu_fallback"),
              {"event": "bot"}, user("nlu_fallback")]  # fmt: skip
    assert consecutive_fallbacks(events) == 2
    assert consecutive_fallbacks([user("greet")]) == 0
