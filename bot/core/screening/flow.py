"""Which screening question comes next, and what a message means while one is open.

Pure functions over answers (slot -> value) and data/screening/questions.yml. The Rasa form and
its validation action in actions/screening.py only adapt these to slots and events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot import DATA_DIR
from bot.core.eligibility import Rules, default_rules, label
from bot.core.screening import parsing
from bot.core.screening.parsing import Reading
from bot.core.yamlio import load_yaml

QUESTIONS_FILE = DATA_DIR / "screening" / "questions.yml"
SKIPPED = "skipped"
CONFIRMED = "confirmed"

# Intents that mean "not an answer: something else" when the text does not read as an answer.
INTERRUPTIONS = frozenset({
    "faq", "ask_why", "stop", "restart_screening", "request_human", "ask_source",
    "ask_not_covered", "out_of_scope", "help", "bot_challenge", "goodbye", "emergency",
    "emergency_self_harm", "describe_symptoms", "check_eligibility", "medication_advice",
    "unreadable_input", "delete_my_data",
})  # fmt: skip
QUESTION_START = re.compile(
    r"^(what|why|how|is|are|can|could|does|do|will|should|when|where|who|which)\b", re.I
)
CORRECTION_CUE = re.compile(
    r"\b(actually|i meant|i mean|correction|sorry|wrong|change|not \w+ but|it was|it's|no,)\b",
    re.I,
)


@dataclass(frozen=True)
class Question:
    slot: str
    label: str
    why: str
    reprompt: str
    only_if: Mapping[str, Any]
    change_words: tuple[str, ...]
    short_label: str = ""  # the label in the SMS summary


@lru_cache(maxsize=1)
def _questions_file() -> dict[str, Any]:
    return load_yaml(QUESTIONS_FILE)


@lru_cache(maxsize=1)
def questions() -> tuple[Question, ...]:
    raw = _questions_file()["questions"]
    return tuple(
        Question(
            slot=slot,
            label=spec["label"],
            why=spec["why"],
            reprompt=spec["reprompt"],
            only_if=spec.get("only_if", {}),
            change_words=tuple(spec.get("change_words", [])),
            short_label=spec.get("short_label") or spec["label"],
        )
        for slot, spec in raw.items()
    )


def question(slot: str) -> Question:
    return next(q for q in questions() if q.slot == slot)


def max_failed_tries() -> int:
    return int(_questions_file().get("max_failed_tries", 3))


SCREENING_SLOTS = tuple(q.slot for q in questions())


def _applies(q: Question, answers: Mapping[str, Any]) -> bool:
    for slot, wanted in q.only_if.items():
        value = answers.get(slot)
        if value is None or value == SKIPPED:
            return False
        if isinstance(wanted, Mapping) and "below" in wanted:
            if not float(value) < float(wanted["below"]):
                return False
        elif isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def required_slots(answers: Mapping[str, Any]) -> list[str]:
    """The questions that apply, given the answers so far (age only for someone else, ...)."""
    return [q.slot for q in questions() if _applies(q, answers)]


def next_slot(answers: Mapping[str, Any]) -> str | None:
    return next((s for s in required_slots(answers) if answers.get(s) is None), None)


def is_unfinished(answers: Mapping[str, Any]) -> bool:
    """Some answers given, and the summary not confirmed yet."""
    given = any(answers.get(slot) is not None for slot in SCREENING_SLOTS)
    return given and answers.get("screening_confirmed") is None


def stale_answers(answers: Mapping[str, Any]) -> dict[str, None]:
    """Answers to questions that no longer apply after a change, to be cleared."""
    current = dict(answers)
    stale: dict[str, None] = {}
    while True:  # clearing an age can make the guardian question stale in turn
        needed = set(required_slots(current))
        found = {q.slot: None for q in questions() if q.slot not in needed and current.get(q.slot)}
        if not found:
            return stale
        stale.update(found)
        current.update(found)


def _answered(answers: Mapping[str, Any], rules: Rules | None) -> list[tuple[Question, str]]:
    """(question, answer in words) for every question that applies and is answered, in order."""
    rules = rules or default_rules()
    rows = []
    for slot in required_slots(answers):
        value = answers.get(slot)
        if slot == "screening_confirmed" or value is None:
            continue
        rows.append((question(slot), "skipped" if value == SKIPPED else label(rules, slot, value)))
    return rows


def summary_rows(answers: Mapping[str, Any], rules: Rules | None = None) -> list[tuple[str, str]]:
    """(question label, answer in words) for every question that applies, in order."""
    return [(f"{q.label[0].upper()}{q.label[1:]}", shown) for q, shown in _answered(answers, rules)]


def summary_lines(answers: Mapping[str, Any], rules: Rules | None = None) -> list[str]:
    return [f"- {name}: {shown}" for name, shown in summary_rows(answers, rules)]


def short_summary_lines(answers: Mapping[str, Any], rules: Rules | None = None) -> list[str]:
    """The summary with each question's short label, for SMS and WhatsApp."""
    return [f"{q.short_label}: {shown}" for q, shown in _answered(answers, rules)]


def slot_to_change(text: str, answers: Mapping[str, Any]) -> str | None:
    """'change my weight' -> 'weight_kg' (only among questions that apply)."""
    words = parsing.normalize(text)
    for slot in required_slots(answers):
        q = question(slot)
        if any(re.search(rf"\b{re.escape(w)}\b", words) for w in q.change_words):
            return slot
    return None


@dataclass(frozen=True)
class Interpretation:
    """What one message contributes while the screening waits on `requested`."""

    values: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None
    interruption: bool = False

    @property
    def answered(self) -> bool:
        return bool(self.values)


def _entities(entities: Sequence[Mapping[str, Any]], name: str) -> list[str]:
    return [str(e["value"]) for e in entities if e.get("entity") == name]


def read(slot: str, text: str, entities: Sequence[Mapping[str, Any]] = ()) -> Reading:
    """Read `text` as the answer to the question of `slot`."""
    readers: dict[str, Callable[[], Reading]] = {
        "for_whom": lambda: parsing.parse_for_whom(text),
        "patient_age": lambda: parsing.parse_age(text),
        "guardian_involved": lambda: parsing.parse_yes_no(text),
        "diagnosis": lambda: parsing.parse_diagnosis(text, _entities(entities, "myositis_type")),
        "first_line_tried": lambda: parsing.parse_first_line_tried(
            text, _entities(entities, "medicine")
        ),
        "first_line_result": lambda: parsing.parse_first_line_results(text),
        "ivig_status": lambda: parsing.parse_ivig_status(text),
        "iga_status": lambda: parsing.parse_iga(text),
        "severe_reaction": lambda: parsing.parse_reaction(text),
        "weight_kg": lambda: parsing.parse_weight(text),
        "insurance": lambda: parsing.parse_insurance(text, _entities(entities, "insurance")),
        "us_state": lambda: parsing.parse_state(text),
        "has_doctor": lambda: parsing.parse_has_doctor(text),
        "screening_confirmed": lambda: _read_confirmation(text),
    }
    return readers[slot]()


def _read_confirmation(text: str) -> Reading:
    return Reading(CONFIRMED) if parsing.is_confirmation(text) else parsing.NOTHING


def _strict_reading(slot: str, text: str, entities: Sequence[Mapping[str, Any]]) -> Reading:
    """Readings precise enough to take from a message that answered another question."""
    if slot == "weight_kg":
        return parsing.parse_weight(text, need_unit=True)
    if slot == "us_state":
        return parsing.parse_state(text, strict=True)
    if slot == "diagnosis":
        types = _entities(entities, "myositis_type") or parsing.lexicon_values(
            text, "myositis_type"
        )
        return parsing.parse_diagnosis(text, types) if types else parsing.NOTHING
    if slot == "severe_reaction":
        return parsing.parse_reaction(text, need_topic=True)
    if slot == "first_line_result":
        return parsing.parse_first_line_results(text)
    if slot == "insurance":
        kinds = _entities(entities, "insurance")
        return Reading(kinds[0]) if kinds else parsing.NOTHING
    return parsing.NOTHING


# Questions whose answer often arrives together with the one asked.
COMPANIONS = {
    "first_line_tried": ("first_line_result",),
    "iga_status": ("severe_reaction",),
    "for_whom": ("patient_age",),
}


def _may_correct(text: str, answers: Mapping[str, Any], looks_like_question: bool) -> bool:
    """Whether a message with no correction cue may still change an earlier answer ("80 kg"
    given late): not a question ("is it used for JM?" asks, it tells nothing), and not a
    relative's story in the writer's own screening ("my nephew has JM")."""
    if looks_like_question:
        return False
    return not (
        answers.get("for_whom") == "self" and parsing.has(parsing.normalize(text), "relative")
    )


def interpret(
    requested: str,
    text: str,
    answers: Mapping[str, Any],
    intent: str | None = None,
    entities: Sequence[Mapping[str, Any]] = (),
) -> Interpretation:
    """The answers a message gives, a problem to explain, or an interruption to hand over."""
    text = text or ""
    if intent in ("emergency", "emergency_self_harm"):
        return Interpretation(interruption=True)
    if parsing.is_skip(text) and requested != "screening_confirmed":
        return Interpretation({requested: SKIPPED})
    if requested == "screening_confirmed":
        change = slot_to_change(text, answers)
        if change and not _read_confirmation(text).found:
            given = _strict_reading(change, text, entities)
            if given.found:  # "actually I weigh 80 kg": taken, and the summary shown again
                return Interpretation({change: given.value, "screening_confirmed": None})
            return Interpretation({change: None, "screening_confirmed": None})

    looks_like_question = bool(QUESTION_START.match(text.strip())) or text.strip().endswith("?")
    reading = read(requested, text, entities)
    values: dict[str, Any] = {}
    if reading.found and not (looks_like_question and intent in INTERRUPTIONS):
        values[requested] = reading.value
        for companion in COMPANIONS.get(requested, ()):
            extra = (
                parsing.parse_age(text)
                if companion == "patient_age" and reading.value == "other"
                else _strict_reading(companion, text, entities)
            )
            if extra.found and answers.get(companion) is None:
                values[companion] = extra.value

    # A correction of an earlier answer ("actually I weigh 80 kg", "I meant Texas").
    corrections = {}
    if CORRECTION_CUE.search(text) or (
        not values and _may_correct(text, answers, looks_like_question)
    ):
        for q in questions():
            slot = q.slot
            if slot == requested or answers.get(slot) is None or slot in values:
                continue
            corrected = _strict_reading(slot, text, entities)
            if corrected.found and corrected.value != answers.get(slot):
                corrections[slot] = corrected.value
    if corrections and requested in values and not _strict_reading(requested, text, entities).found:
        # "no, it was polymyositis" corrects the diagnosis; its "no" answers nothing.
        del values[requested]
    values.update(corrections)

    if values:
        return Interpretation(values)
    if intent in INTERRUPTIONS:
        return Interpretation(interruption=True)
    if reading.problem:
        return Interpretation(problem=reading.problem)
    return Interpretation(problem=parsing.problem("not_read"))
