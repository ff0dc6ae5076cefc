"""data/screening/questions.yml is the one source of the screening's questions: the domain's
answer slots, the form's required slots, its ask actions and `utter_ask_*` questions, the
readers, the rules' answer labels and the ask actions all follow it, in its order."""

import yaml

from actions.screening import ASK_ACTIONS, ActionAskScreeningConfirmed
from bot import PROJECT_ROOT
from bot.core.eligibility import default_rules
from bot.core.screening import flow

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
QUESTIONS = list(
    yaml.safe_load(flow.QUESTIONS_FILE.read_text(encoding="utf-8"))["questions"]
)  # the file itself, not what flow.py made of it
FORM = "ivig_screening_form"
HANDOFF_FORM = "handoff_form"
ANSWER_SLOT = {"type": "any", "influence_conversation": False, "mappings": [{"type": "custom"}]}


def handoff_slots() -> list[str]:
    return list(DOMAIN["forms"][HANDOFF_FORM]["required_slots"])


def test_the_flow_reads_the_questions_file_in_its_order():
    assert list(flow.SCREENING_SLOTS) == QUESTIONS


def test_the_form_asks_for_exactly_the_questions_in_their_order():
    assert DOMAIN["forms"][FORM]["required_slots"] == QUESTIONS


def test_each_question_has_an_answer_slot_in_the_domain():
    slots = DOMAIN["slots"]
    assert [q for q in QUESTIONS if slots.get(q) != ANSWER_SLOT] == []


def test_each_question_has_its_ask_action_in_the_domain_and_on_the_action_server():
    actions = set(DOMAIN["actions"])
    assert [q for q in QUESTIONS if f"action_ask_{q}" not in actions] == []
    served = {cls().name() for cls in ASK_ACTIONS.values()} | {ActionAskScreeningConfirmed().name()}
    assert served == {f"action_ask_{q}" for q in QUESTIONS}


def test_each_question_has_its_words_with_a_script_for_the_agent_console():
    responses = DOMAIN["responses"]
    missing = [q for q in QUESTIONS if f"utter_ask_{q}" not in responses]
    assert missing == []
    no_console = [
        q
        for q in QUESTIONS
        if not any(v.get("channel") == "agent_assist" for v in responses[f"utter_ask_{q}"])
    ]
    assert no_console == []


def test_no_question_is_asked_that_the_questions_file_does_not_hold():
    asked = {
        name.removeprefix("utter_ask_")
        for name in DOMAIN["responses"]
        if name.startswith("utter_ask_")
    }
    asked |= {
        name.removeprefix("action_ask_")
        for name in DOMAIN["actions"]
        if name.startswith("action_ask_")
    }
    others = {"handoff_consent", *handoff_slots()}  # the handoff's own questions
    assert sorted(asked - set(QUESTIONS) - others) == []


def test_every_question_has_a_reader():
    for slot in QUESTIONS:
        flow.read(slot, "")  # a KeyError names a question without one


def test_the_rules_label_only_answers_to_questions_and_conditions_name_only_questions():
    rules = default_rules()
    assert sorted(set(rules.labels) - set(QUESTIONS)) == []

    def slots(condition):
        found = {condition["slot"]} if "slot" in condition else set()
        for key in ("all_of", "any_of", "when_all", "when_any"):
            for part in condition.get(key, []):
                found |= slots(part)
        return found

    named = set().union(*(slots(outcome) for outcome in rules.outcomes))
    assert sorted(named - set(QUESTIONS)) == []


def test_a_question_depends_only_on_questions_asked_before_it():
    for number, question in enumerate(flow.questions()):
        assert set(question.only_if) <= set(QUESTIONS[:number]), question.slot
