"""Every sentence an action sends is a domain response (domain.yml), with its channel variants;
the actions only fill in values composed from data (an answer and its source line, a reader's
problem, the summary's lines)."""

import ast
import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionAskContactPhone, ActionHandoffDeclined, ValidateHandoffForm
from actions.screening import (
    ASK_ACTIONS,
    FAILURES_SLOT,
    ActionAskScreeningConfirmed,
    ActionExplainQuestion,
    outcome_messages,
)
from bot import PROJECT_ROOT
from bot.core.knowledge import knowledge_base
from bot.core.program import hours_text, phone_text
from bot.core.screening import flow
from tests import aio

ACTIONS = sorted((PROJECT_ROOT / "actions").glob("*.py"))
RESPONSES = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
# Texts that are data, sent as they are: a why of data/screening/questions.yml, the dose and
# after-weight note of data/screening/rules.yml, the input replies of data/safety/input.yml.
DATA_TEXTS = {
    "flow.question(slot).why",
    "eligibility.after_weight_text()",
    "input_replies.reply(problem, phone_text(program), max_chars)",
}
# The responses that replaced sentences built in Python (issue 13, item 4).
MOVED = [
    "utter_contact_not_read", "utter_contact_phone_not_read", "utter_contact_email_not_read",
    "utter_handoff_declined", "utter_screening_reask", "utter_screening_stuck",
    "utter_ask_screening_confirmed", "utter_why_screening", "utter_screening_outcome",
    "utter_screening_no_outcome", "utter_cost_note", "utter_answer", "utter_answer_part",
    "utter_sources_of_team_answer", "utter_symptom_info", "utter_medical_boundary",
    "utter_medical_boundary_with_answer",
]  # fmt: skip
SMS_ONLY = {"utter_offer_own_number"}  # offers the number the person texts from


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def sent_texts(path: Path) -> list[str]:
    """The source of every `text=` an action hands to utter_message (directly or in a dict)."""
    found = []
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in ("utter_message", "dict"):
                found += [ast.unparse(k.value) for k in node.keywords if k.arg == "text"]
    return found


def sentences_in_code(path: Path) -> list[str]:
    """String literals that read as a sentence, outside docstrings, log messages and button
    titles (labels of the options an action puts together)."""
    module = tree(path)
    skipped = set()
    for node in ast.walk(module):
        if isinstance(node, ast.Dict):
            skipped.update(
                id(v) for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and k.value == "title"
            )  # fmt: skip
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skipped.add(id(body[0].value))
        receiver = getattr(getattr(node, "func", None), "value", None)
        if isinstance(node, ast.Call) and getattr(receiver, "id", "") == "logger":
            skipped.update(id(arg) for arg in node.args)
    return [
        node.value
        for node in ast.walk(module)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
        and len(node.value.split()) >= 3
        and re.search(r"[.?!]\s*$|[.?!]\s", node.value)
    ]


def rendered(message: dict, channel: str | None = None) -> str:
    """A message as a person reads it: its response's variant for `channel` with the values."""
    if "response" not in message:
        return message["text"]
    variants = RESPONSES[message["response"]]
    variant = next((v for v in variants if v.get("channel") == channel), variants[0])
    values = {k: v for k, v in message.items() if k not in ("response", "buttons")}
    return variant["text"].format(**values)


def tracker(slots=None, text="", channel="rest", events=()) -> Tracker:
    latest = {"text": text, "intent": {"name": "inform"}, "message_id": "m1"}
    return Tracker(
        "actions-test", dict(slots or {}), latest, [{"event": "user", "input_channel": channel},
        *events], False, None, None, "action_listen",
    )  # fmt: skip


def run(action, slots=None, text="", channel="rest") -> list[dict]:
    dispatcher = CollectingDispatcher()
    aio.run(action.run(dispatcher, tracker(slots, text, channel), {"responses": RESPONSES}))
    return dispatcher.messages


@pytest.mark.parametrize("path", ACTIONS, ids=lambda p: p.name)
def test_an_action_sends_no_sentence_of_its_own(path):
    assert set(sent_texts(path)) <= DATA_TEXTS
    assert sentences_in_code(path) == []


@pytest.mark.parametrize("path", ACTIONS, ids=lambda p: p.name)
def test_every_response_an_action_names_is_in_the_domain(path):
    named = re.findall(r'response="(utter_[a-z_]+)"', path.read_text(encoding="utf-8"))
    assert [name for name in named if name not in RESPONSES] == []


@pytest.mark.parametrize("name", MOVED)
def test_each_moved_sentence_has_words_for_the_agent_console(name):
    channels = [v.get("channel") for v in RESPONSES[name]]
    assert channels[0] is None and "agent_assist" in channels


def test_the_sms_only_offer_has_no_console_words():
    assert [v.get("channel") for v in RESPONSES["utter_offer_own_number"]] == [None]


def test_declining_the_handoff_says_nothing_was_stored_and_how_to_reach_the_team():
    (message,) = run(ActionHandoffDeclined())
    program = knowledge_base().program
    assert message["response"] == "utter_handoff_declined"
    assert rendered(message) == (
        f"No problem, I haven't stored anything. You can reach our IVIG team at "
        f"{phone_text(program)}. Hours: {hours_text(program)}."
    )
    assert rendered(message, "agent_assist").startswith("Tell the caller: No problem")


def test_a_contact_detail_not_read_is_said_with_an_example():
    dispatcher = CollectingDispatcher()
    form = ValidateHandoffForm()
    form.validate_contact_phone("call me", dispatcher, tracker(), {})
    form.validate_contact_email("ana at home", dispatcher, tracker(), {})
    form.validate_contact_method("carrier pigeon", dispatcher, tracker(), {})
    phone, email, method = dispatcher.messages
    assert (
        rendered(phone) == "That doesn't look like a phone number. Please type the whole number. "
        "It should look like 415-555-0123."
    )
    assert rendered(email).endswith("Please type it like name@example.com.")
    assert method["response"] == "utter_contact_not_read"
    assert rendered(method) == "Should we call, text or email you?"


def test_off_sms_the_phone_number_is_asked_for():
    assert [m["response"] for m in run(ActionAskContactPhone())] == ["utter_ask_contact_phone"]


def test_the_summary_lists_the_answers_and_asks_whether_they_are_right():
    answers = {"for_whom": "self", "diagnosis": "dermatomyositis", "weight_kg": 70.0}
    (message,) = run(ActionAskScreeningConfirmed(), answers)
    assert message["response"] == "utter_ask_screening_confirmed"
    assert rendered(message) == (
        "Here is what you told me:\n" + "\n".join(flow.summary_lines(answers)) + "\n\n"
        'Is this right? You can say "looks right" or tell me what to change, like '
        '"change my weight".'
    )
    titles = [b["title"] for b in RESPONSES["utter_ask_screening_confirmed"][0]["buttons"]]
    assert titles == ["Looks right", "Change an answer"]


def test_an_answer_not_read_is_asked_again_with_the_questions_buttons():
    failure = {"slot": "weight_kg", "count": 1, "message_id": "m1", "problem": "Hmm."}
    (message,) = run(ASK_ACTIONS["weight_kg"](), {FAILURES_SLOT: failure})
    assert rendered(message) == f"Hmm. {flow.question('weight_kg').reprompt}"
    failure = {**failure, "slot": "insurance"}
    (message,) = run(ASK_ACTIONS["insurance"](), {FAILURES_SLOT: failure})
    assert message["buttons"] == RESPONSES["utter_ask_insurance"][0]["buttons"]


def test_after_too_many_tries_the_person_can_skip_or_ask_for_a_specialist():
    failure = {"slot": "us_state", "count": flow.max_failed_tries(), "message_id": "m1",
               "problem": "I don't know a US state called \"Atlantis\"."}  # fmt: skip
    (message,) = run(ASK_ACTIONS["us_state"](), {FAILURES_SLOT: failure})
    assert message["response"] == "utter_screening_stuck"
    assert rendered(message) == (
        "I don't know a US state called \"Atlantis\". Let's not get stuck on this one. You can "
        "skip it, or talk to a specialist who can help."
    )
    payloads = [b["payload"] for b in RESPONSES["utter_screening_stuck"][0]["buttons"]]
    assert payloads == ["skip", "/request_human"]


def test_why_do_you_ask_outside_a_question_explains_the_screening():
    (message,) = run(ActionExplainQuestion())
    assert rendered(message).startswith("I ask a few questions to see whether a specialist")
    (message,) = run(ActionExplainQuestion(), {"requested_slot": "iga_status"})
    assert message["text"] == flow.question("iga_status").why


def test_the_outcome_names_each_result_with_its_reasons():
    answers = {"diagnosis": "not_diagnosed", "insurance": "medicare"}
    messages, ids = outcome_messages(answers)
    assert ids == ["see_doctor_first"]
    said = rendered(messages[0])
    assert said.startswith("See your doctor first. It would help to talk with your doctor")
    assert "\nBecause you told me:\n- no doctor has found myositis yet" in said
    assert rendered(messages[-1]).startswith("About cost: Copay programs")
    nothing, _ = outcome_messages({})
    assert rendered(nothing[0]).startswith("I can't tell from these answers")


def test_the_type_a_person_stated_earlier_is_the_subject_a_follow_up_can_lean_on():
    from actions.understanding import stated_type

    told = {
        "event": "user",
        "parse_data": {"understanding": {"facts": {"diagnosis": "polymyositis"}}},
    }
    later = {"event": "user", "parse_data": {"understanding": {"facts": {}}}}
    assert stated_type(tracker(events=[told, later])) == "polymyositis"
    assert (
        stated_type(tracker({"diagnosis": "dermatomyositis"}, events=[told])) == "dermatomyositis"
    )
    assert stated_type(tracker(events=[later])) is None


def test_ivig_named_before_any_answer_is_the_subject_a_follow_up_can_lean_on():
    """ "Could IVIG help him?" starts the screening, so no answer sets a subject; "What's it made
    of?" then means IVIG. The message being read is not its own subject."""
    from actions.understanding import mentioned_subject

    asked = {"event": "user", "text": "My husband is weaker on steroids. Could IVIG help him?"}
    now = {"event": "user", "text": "What's it made of?"}
    unrelated = {"event": "user", "text": "He is 70 and lives in Ohio"}
    assert mentioned_subject(tracker(events=[asked, now])) == "what_is_ivig"
    assert mentioned_subject(tracker(events=[unrelated, now])) is None
    assert mentioned_subject(tracker(events=[{"event": "user", "text": "is ivig safe"}])) is None


def test_the_person_a_caregiver_told_about_is_remembered_until_they_speak_of_themselves():
    from actions.understanding import stated_person

    def said(facts):
        return {"event": "user", "parse_data": {"understanding": {"facts": facts}}}

    told = said({"for_whom": "other", "person": "your mother"})
    later = said({})
    assert stated_person(tracker(events=[told, later])) == "your mother"
    assert stated_person(tracker(events=[told, said({"for_whom": "self"})])) is None
    assert stated_person(tracker({"for_whom": "self"}, events=[told])) is None
