"""The eligibility screen over the REST channel, against the real Rasa and action servers."""

import re

import pytest

HAPPY = [
    "it's for me",
    "dermatomyositis",
    "prednisone didn't work and methotrexate gave me side effects",
    "no",
    "no IgA problems, never had a reaction",
    "165 lbs",
    "Blue Cross through work",
    "CA",
    "yes my rheumatologist",
]


class Chat:
    def __init__(self, stack, sender):
        self.stack, self.sender = stack, sender

    def say(self, text: str) -> str:
        """All the bot's replies to one message, joined, with button titles in brackets."""
        parts = []
        for message in self.stack.send(self.sender, text) or []:
            parts.append(message.get("text", ""))
            parts += [f"[{b['title']}]" for b in message.get("buttons", [])]
        return "\n".join(parts)

    def run(self, *texts: str) -> str:
        return [self.say(text) for text in texts][-1]


@pytest.fixture
def chat(stack, sender):
    return Chat(stack, sender)


def test_the_screen_starts_from_a_plain_request(chat):
    reply = chat.say("could ivig help me")
    assert "who is this for?" in reply and "[For me]" in reply


def test_the_full_screen_ends_in_a_specialist_review_with_reasons_and_general_dose_rates(chat):
    chat.say("could ivig help me")
    summary = chat.run(*HAPPY)
    assert "Here is what you told me" in summary
    assert "Weight: 74.8 kg (165 lb)" in summary and "State: California" in summary
    outcome = chat.say("looks right")
    assert "A good fit for a specialist review" in outcome
    assert "Because you told me" in outcome
    assert "a doctor told you that you have dermatomyositis" in outcome
    assert "2 g per kg" in outcome and "1 g per kg" in outcome and "2 to 5 days" in outcome
    assert "Your prescriber works out the amount" in outcome
    assert not re.search(r"\b(?:150|75|74\.8|149\.6) ?g\b", outcome)  # no amount for the weight
    assert "copay program" in outcome
    assert "[Connect me with a specialist]" in outcome


def test_not_diagnosed_yet_ends_in_see_your_doctor_first(chat):
    chat.say("am i eligible")
    answers = [*HAPPY]
    answers[1] = "not diagnosed yet"
    chat.run(*answers)
    outcome = chat.say("looks right")
    assert "See your doctor first" in outcome
    assert "A good fit" not in outcome
    assert "rheumatologist or a neurologist" in outcome


def test_a_state_outside_the_service_area_says_what_to_do_instead(chat):
    chat.say("check if I qualify")
    answers = [*HAPPY]
    answers[7] = "Maine"
    chat.run(*answers)
    outcome = chat.say("looks right")
    assert "Outside our service area today" in outcome and "Maine" in outcome


def test_safety_items_and_the_medicare_note_appear_together(chat):
    chat.say("could ivig help me")
    answers = [*HAPPY]
    answers[4] = "I have IgA deficiency"
    answers[6] = "medicare"
    chat.run(*answers[:5])
    chat.run("yes, I had a bad reaction to a transfusion", *answers[5:])
    outcome = chat.say("looks right")
    assert "Safety items to raise with your prescriber" in outcome
    assert "you lack IgA" in outcome
    assert "usually can't be used with Medicare" in outcome


def test_a_child_takes_the_juvenile_path_with_a_guardian(chat):
    # "my daughter" already says who it is for: that question is not asked again.
    assert "How old" in chat.say("could ivig help my daughter")
    assert "parent or guardian" in chat.say("she is 12")
    assert "type of myositis" in chat.say("yes")
    chat.run("juvenile dermatomyositis", *HAPPY[2:])
    outcome = chat.say("looks right")
    assert "A parent or guardian must be part of this" in outcome
    assert "12 years old" in outcome


def test_a_vague_weight_is_asked_again_with_an_example(chat):
    chat.say("could ivig help me")
    reply = chat.run(*HAPPY[:5], "a lot")
    assert 'like "150 lb" or "68 kg"' in reply


def test_an_impossible_weight_is_refused_with_the_reason(chat):
    chat.say("could ivig help me")
    reply = chat.run(*HAPPY[:5], "2,000 lb")
    assert "outside the range" in reply


def test_after_three_failed_tries_the_bot_offers_to_skip_or_a_specialist(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY[:5], "a lot", "heavy")
    reply = chat.say("dunno, big")
    assert "[Skip this question]" in reply and "[Talk to a specialist]" in reply
    assert "kind of health insurance" in chat.say("skip")


def test_a_question_in_the_middle_is_answered_and_the_screen_resumes(chat):
    chat.say("could ivig help me")
    chat.say("it's for me")
    reply = chat.say("what are the side effects of ivig?")
    assert "Source:" in reply
    assert reply.rstrip().splitlines()[-9].startswith("What type of myositis")


def test_why_do_you_ask_explains_and_asks_again(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY[:5])
    reply = chat.say("why do you ask?")
    assert "based on body weight" in reply and "Your prescriber works out the amount" in reply
    assert "What is the weight" in reply


def test_stop_asks_to_confirm_and_no_continues_where_it_was(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY[:3])
    assert "Do you want to stop the screening?" in chat.say("stop")
    reply = chat.say("no")
    assert "carry on" in reply and "already prescribed IVIG" in reply


def test_stop_confirmed_leaves_cleanly(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY[:2])
    chat.say("cancel")
    reply = chat.say("yes")
    assert "stopped the screening" in reply
    assert "Source:" in chat.say("what is ivig")


def test_start_over_resets_the_answers(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY[:4])
    reply = chat.say("start over")
    assert "start over" in reply and "who is this for?" in reply
    chat.run(*HAPPY)
    summary = chat.say("looks right")
    assert "A good fit" in summary


def test_corrections_are_applied_without_restarting(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY[:7])
    reply = chat.say("actually I weigh 80 kg")
    assert "updated your weight" in reply and "Which US state" in reply
    chat.say("CA")
    assert "updated your state" in chat.say("I meant Texas")
    chat.say("no, it was polymyositis")
    summary = chat.say("yes my rheumatologist")
    assert "Weight: 80 kg" in summary
    assert "State: Texas" in summary
    assert "Diagnosis: polymyositis" in summary


def test_the_summary_lets_the_user_change_one_answer(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY)
    assert "What is the weight" in chat.say("change my weight")
    summary = chat.say("70 kg")
    assert "Weight: 70 kg" in summary and "Here is what you told me" in summary


def test_a_faq_answer_offers_the_screen(stack, sender):
    messages = stack.send(sender, "what is ivig")
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert "/check_eligibility" in payloads


def test_after_the_weight_the_bot_says_the_prescriber_works_out_the_amount_and_shows_none(chat):
    chat.say("could ivig help me")
    reply = chat.run(*HAPPY[:6])
    assert "Your prescriber uses the weight to work out the amount" in reply
    assert not re.search(r"\d+(?:\.\d+)? ?g\b", reply)  # no gram figure at all
    assert "kind of health insurance" in reply


def test_a_returning_user_is_offered_to_pick_up_where_they_left_off(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY[:4])
    reply = chat.say("/session_start")
    assert "Welcome back" in reply and "[Pick up where I left off]" in reply
    assert "blood test for IgA" in chat.say("/check_eligibility")


def test_a_new_session_after_a_finished_screen_does_not_offer_to_continue(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY, "looks right")
    assert "Welcome back" not in chat.say("/session_start")


def test_asking_again_after_an_outcome_starts_a_fresh_screen(chat):
    chat.say("could ivig help me")
    chat.run(*HAPPY, "looks right")
    assert "who is this for?" in chat.say("could ivig help me")


def test_after_emergency_guidance_a_plain_answer_to_the_open_question_goes_on(chat):
    chat.say("could ivig help me")
    chat.say("for me")
    assert "Call 911" in chat.say("I have chest pain right now")
    reply = chat.say("dermatomyositis")
    assert "Have you tried steroids" in reply  # the diagnosis was taken; the next question
    assert chat.stack.tracker(chat.sender)["slots"]["diagnosis"] == "dermatomyositis"


def test_after_emergency_guidance_a_question_is_still_answered_from_the_content(chat):
    chat.say("could ivig help me")
    chat.say("for me")
    chat.say("I have chest pain right now")
    assert "Source:" in chat.say("what is ivig?")
