"""Whole messages and follow-ups over the real server, as people write them.

The development half of the sets written apart from the project (tests/understanding/) is run
through REST and reported in reports/understanding_eval_dev.json. The floors below are the
figures reached, so that no change makes them worse; the product's target (90% of long
messages with every part answered, 90% of follow-up turns) is not reached yet.
"""

import json

from bot import PROJECT_ROOT
from bot.tools import understanding_eval as evaluation
from tests.integration.test_screening_conversations import Chat

REPORTS = PROJECT_ROOT / "reports"
LONG_MESSAGE_FLOOR = 0.92
FOLLOW_UP_FLOOR = 0.94


def test_long_messages_and_follow_ups_of_the_development_half_hold_their_figures(stack):
    def say(sender, text):
        return [m.get("text", "") for m in stack.send(sender, text) or []]

    result = evaluation.evaluate("dev", say)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "understanding_eval_dev.json").write_text(json.dumps(result, indent=2))
    long, turns = result["long_messages"], result["followup_turns"]
    print(f"\nunderstanding (dev): long {long}, follow-ups {turns}")
    assert long["all_parts_answered"] >= LONG_MESSAGE_FLOOR
    assert turns["answered_in_context"] >= FOLLOW_UP_FLOOR


def test_a_story_with_two_questions_gets_both_answers_each_with_its_source(stack, sender):
    reply = Chat(stack, sender).say(
        "My mother has had polymyositis for six years and the steroids are not enough anymore. "
        "How often would she get IVIG? And what are the side effects?"
    )
    assert evaluation.covers([reply], "ivig_frequency")
    assert evaluation.covers([reply], "side_effects")
    assert reply.count("Source:") >= 2


def test_a_request_for_a_person_about_a_subject_answers_it_and_asks_for_consent(stack, sender):
    chat = Chat(stack, sender)
    reply = chat.say("I want to talk to a specialist about copay assistance")
    assert evaluation.covers([reply], "handoff") and evaluation.covers([reply], "copay_help")
    assert "name" in chat.say("yes").lower()  # consent given: the contact details are asked


def test_yes_to_an_answer_that_says_a_specialist_can_help_asks_for_consent(stack, sender):
    chat = Chat(stack, sender)
    assert evaluation.covers([chat.say("Is there any help with the copay?")], "copay_help")
    assert evaluation.covers([chat.say("yes")], "handoff")
    assert "name" in chat.say("yes").lower()  # consent given: the contact details are asked


def test_yes_to_an_answer_that_offers_no_specialist_starts_no_handoff(stack, sender):
    chat = Chat(stack, sender)
    assert evaluation.covers([chat.say("what is the usual ivig dose?")], "ivig_dose")
    assert not evaluation.covers([chat.say("yes")], "handoff")


def test_a_follow_up_in_the_screening_leans_on_the_ivig_the_person_named(stack, sender):
    """No answer gave the conversation a subject yet: the screening started at once."""
    chat = Chat(stack, sender)
    first = chat.say(
        "My husband's muscles keep getting weaker even on steroids. Could IVIG help him?"
    )
    assert evaluation.covers([first], "start_screening")
    reply = chat.say("What's it made of?")
    assert evaluation.covers([reply], "what_is_ivig")
    assert stack.tracker(sender)["active_loop"].get("name") == "ivig_screening_form"


def test_an_amount_asked_after_what_ivig_is_gets_the_dose_facts(stack, sender):
    chat = Chat(stack, sender)
    assert evaluation.covers([chat.say("wat is ivig")], "what_is_ivig")
    assert evaluation.covers([chat.say("how much would i need")], "ivig_dose")


def test_it_means_the_ivig_asked_about_not_the_type_told_beside_it(stack, sender):
    chat = Chat(stack, sender)
    chat.say(
        "My dad is 67 and has polymyositis; prednisone stopped helping. He lives in Nevada and "
        "has Medicare. Could IVIG be an option for him?"
    )
    assert evaluation.covers([chat.say("What's it made of?")], "what_is_ivig")


def test_a_caregiver_is_answered_about_the_person_they_asked_for(stack, sender):
    chat = Chat(stack, sender)
    reply = chat.say(
        "My mom is 67 and has had polymyositis for six years. Prednisone stopped helping. How "
        "often would she need IVIG, and what are the side effects?"
    )
    assert evaluation.covers([reply], "ivig_frequency") and "how your mother responds" in reply
    assert "[Could IVIG help your mother?]" in reply and "[Could IVIG help me?]" not in reply
    cost = chat.say("and is there help with the cost?")
    assert "your mother's insurance" in cost and "[Could IVIG help your mother?]" in cost


def test_a_turn_no_rule_expects_is_read_as_a_follow_up_and_the_dialogue_goes_on(stack, sender):
    """ "ok what about saturday" reads as a yes that nothing asked for: Rasa's core fallback.
    It is answered in the light of the last answer, and the next message is taken normally
    (before, the fallback repeated itself until the turn ended with no reply at all)."""
    chat = Chat(stack, sender)
    assert evaluation.covers([chat.say("r u open sunday")], "hours")
    assert evaluation.covers([chat.say("ok wat about sat")], "hours")
    reply = chat.say("fine can sum1 call me mon then")
    assert evaluation.covers([reply], "handoff")
    assert "name" in chat.say("yes").lower()


def test_the_screening_starts_where_the_person_already_is(stack, sender):
    reply = Chat(stack, sender).say(
        "My dad is 67 and has polymyositis; prednisone stopped helping. He lives in Nevada and "
        "has Medicare. Could IVIG be an option for him?"
    )
    assert evaluation.covers([reply], "start_screening")
    slots = stack.tracker(sender)["slots"]
    assert slots["diagnosis"] == "polymyositis" and slots["us_state"] == "NV"
    assert slots["insurance"] == "medicare" and slots["patient_age"] == 67
    assert not evaluation.covers([reply], "start_screening") or "who is this for" not in reply


def test_markup_and_code_never_get_a_topic_answer(stack, sender):
    for junk in ["x=1", "javascript:alert(1)", "<b>{{7*7}}</b>"]:
        reply = Chat(stack, sender).say(junk)
        assert "Source:" not in reply, junk


def test_a_weak_match_is_never_offered_as_erasure(stack, sender):
    reply = Chat(stack, sender).say("what are myopathic changes")
    assert not evaluation.covers([reply], "erase")


def test_a_question_about_something_else_beside_a_real_one_is_named_as_outside(stack, sender):
    reply = Chat(stack, sender).say(
        "Random thing first: do you know a good plumber in Sacramento? Also, what are your hours?"
    )
    assert evaluation.covers([reply], "hours")
    assert evaluation.covers([reply], "out_of_scope")
    assert not evaluation.covers([reply], "not_covered")  # not a gap for a specialist


def test_a_request_for_the_screening_answers_the_facts_asked_beside_it_first(stack, sender):
    reply = Chat(stack, sender).say(
        "Caller wants to know if IVIG could be an option for her dermatomyositis, and also what"
        " the usual dose is."
    )
    assert evaluation.covers([reply], "ivig_dose") and evaluation.covers([reply], "start_screening")
    assert reply.index("per kg") < reply.index("?")  # the facts, then the first question


def test_the_same_question_for_another_type_is_answered_for_it_not_with_the_types_facts(
    stack, sender
):
    chat = Chat(stack, sender)
    first = chat.say("Does IVIG help with dermatomyositis?")
    assert evaluation.covers([first], "ivig_for_which_types")  # whether it is used for it
    assert evaluation.covers([first], "ivig_success")  # and how well it works
    again = chat.say("what about for IBM?")
    assert evaluation.covers([again], "ivig_for_which_types")
    assert not evaluation.covers([again], "inclusion_body_myositis")  # not what IBM is
    assert evaluation.covers([chat.say("what is polymyositis?")], "polymyositis")
    reply = chat.say("Is IVIG an option for it?")
    assert evaluation.covers([reply], "ivig_for_which_types")
    assert not evaluation.covers([reply], "start_screening")


def test_a_follow_up_read_as_a_gap_is_answered_only_when_its_subject_makes_it_plain(stack, sender):
    chat = Chat(stack, sender)
    chat.say("A nurse mentioned IgA. What is IgA deficiency?")
    assert evaluation.covers([chat.say("is there a test for that?")], "iga_deficiency")
    other = Chat(stack, f"{sender}-2")
    other.say("what are the side effects of ivig")
    declined = other.say("can she take it with her blood thinner?")
    assert evaluation.covers([declined], "not_covered")
    assert "reach our IVIG team" in other.say("yes")  # the decline's offer still holds


def test_something_else_asked_beside_a_gap_in_the_content_is_named_before_the_decline(
    stack, sender
):
    reply = Chat(stack, sender).say(
        "My dad just started IVIG. Can he keep taking his turmeric capsules with it? Also, do "
        "you know what the weather will be in Denver this weekend?"
    )
    assert evaluation.covers([reply], "out_of_scope") and evaluation.covers([reply], "not_covered")
    assert reply.rstrip().endswith("[No, thanks]")  # the decline's question comes last
