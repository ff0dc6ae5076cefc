"""Reading screening answers the way people write them: "165 lbs", "CA", "they think it's IBM".

Each parser takes the message text (and the lexicon matches, where they help) and returns a
`Reading`: a normalized value, or a problem to explain in plain words, or nothing when the text
holds no answer to that question at all. Phrasings are data (data/screening/answer_phrases.yml
and data/lexicons/).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import DATA_DIR
from bot.core import lexicon
from bot.core.eligibility import Rules, default_rules
from bot.core.yamlio import load_yaml

PHRASES_FILE = DATA_DIR / "screening" / "answer_phrases.yml"
LB_PER_KG = 1 / 0.45359237
MEDICINES_FILE = lexicon.LEXICON_DIR / "medicines.yml"
RESULT_ORDER = ("not_enough", "side_effects", "could_not_take", "helping")
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                "seventeen", "eighteen", "nineteen"]  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}  # fmt: skip
WEIGHT = re.compile(r"(\d+(?:\.\d+)?)\s*(kgs?|kilos?|kilograms?|lbs?|pounds?|#|st|stone)?(?!\w)")


@dataclass(frozen=True)
class Reading:
    value: Any = None
    problem: str | None = None

    @property
    def found(self) -> bool:
        return self.value is not None


NOTHING = Reading()


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    return load_yaml(PHRASES_FILE)


@lru_cache(maxsize=1)
def _nlp():
    return lexicon.build_pipeline()


@lru_cache(maxsize=1)
def medicine_classes() -> dict[str, str]:
    """Medicine (the lexicon's normalized value) -> its class ("steroid", "immunosuppressant"),
    from the medicines lexicon."""
    values = load_yaml(MEDICINES_FILE)["values"]
    return {str(name): str(forms["class"]) for name, forms in values.items() if forms.get("class")}


def lexicon_values(text: str, entity: str) -> list[str]:
    return [m.value for m in _matches(text) if m.entity == entity]


# One message's text is read for several entities by several readers (the facts stated, the
# types, each sentence): the lexicon runs once per text. Small, so a text stays in memory only
# while its message is being read.
@lru_cache(maxsize=32)
def _matches(text: str) -> tuple[lexicon.Match, ...]:
    return tuple(lexicon.extract(_nlp(), text))


def problem(key: str, **values: Any) -> str:
    """What the bot says when it cannot use an answer, from answer_phrases.yml `problems`."""
    return str(phrases()["problems"][key]).format(**values)


def normalize(text: str) -> str:
    text = text.lower().replace("\u2019", "'")
    return re.sub(r"\s+", " ", re.sub(r"[^\w'./+-]+", " ", text)).strip()


def has(text: str, key: str | Sequence[str]) -> bool:
    """Whether normalized `text` holds one of the phrases under `key` as whole words."""
    patterns = phrases()[key] if isinstance(key, str) else key
    return bool(patterns) and bool(_whole_words(tuple(patterns)).search(text))


@lru_cache(maxsize=256)
def _whole_words(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """The phrases as one pattern, compiled once: every message is read against them all."""
    return re.compile("|".join(rf"(?<!\w)(?:{p})(?!\w)" for p in patterns))


def is_skip(text: str) -> bool:
    return normalize(text) in phrases()["skip"]


def is_not_sure(text: str) -> bool:
    return has(normalize(text), "not_sure")


def parse_yes_no(text: str) -> Reading:
    """'yes' / 'no' / 'not_sure'; a leading word decides ('no, never had one')."""
    t = normalize(text)
    if not t:
        return NOTHING
    if is_not_sure(t):
        return Reading("not_sure")
    first = t.split(" ")[0]
    if t in phrases()["yes_answers"] or first in phrases()["yes_first_words"]:
        return Reading("yes")
    if t in phrases()["no_answers"] or first in phrases()["no_first_words"] or has(t, "no_words"):
        return Reading("no")
    return NOTHING


def parse_for_whom(text: str) -> Reading:
    t = normalize(text)
    if has(t, "for_other_first"):
        return Reading("other")
    if has(t, "for_self") and not has(t, "someone_named"):
        return Reading("self")
    if has(t, "for_other"):
        return Reading("other")
    return NOTHING


def _numbers(text: str) -> list[float]:
    t = normalize(re.sub(r"(?<=\d),(?=\d{3})", "", text))
    found = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", t)]
    if found:
        return found
    words = t.replace("-", " ").split()
    for i, word in enumerate(words):
        if word in TENS:
            unit = words[i + 1] if i + 1 < len(words) else ""
            ones = NUMBER_WORDS.index(unit) if unit in NUMBER_WORDS[:10] else 0
            return [float(TENS[word] + ones)]
        if word in NUMBER_WORDS:
            return [float(NUMBER_WORDS.index(word))]
    return []


def parse_age(text: str, rules: Rules | None = None) -> Reading:
    limits = (rules or default_rules()).limits["age_years"]
    numbers = _numbers(text)
    if not numbers:
        return NOTHING
    age = numbers[0] / 12 if has(normalize(text), "months") else numbers[0]
    if not limits["min"] <= age <= limits["max"]:
        return Reading(problem=problem("age_out_of_range", age=f"{age:g}"))
    return Reading(int(age))


def parse_weight(text: str, rules: Rules | None = None, need_unit: bool = False) -> Reading:
    """Kilograms from '150 pounds', '68kg', 'about 70 kilos' or a bare '165' (pounds)."""
    rules = rules or default_rules()
    match = WEIGHT.search(normalize(re.sub(r"(?<=\d),(?=\d{3})", "", text)))
    if not match:
        return NOTHING
    amount, unit = float(match.group(1)), (match.group(2) or "")
    if not unit:
        if need_unit:
            return NOTHING
        unit = rules.limits["bare_number_unit"]
    if unit.startswith("k"):
        kg = amount
    elif unit in {"st", "stone"}:
        kg = amount * 14 / LB_PER_KG
    else:
        kg = amount / LB_PER_KG
    limits = rules.limits["weight_kg"]
    if not limits["min"] <= kg <= limits["max"]:
        return Reading(problem=problem("weight_out_of_range", amount=f"{amount:g}", unit=unit))
    return Reading(round(kg, 1))


def parse_diagnosis(text: str, found: Sequence[str] = ()) -> Reading:
    t = normalize(text)
    if has(t, "not_diagnosed"):
        return Reading("not_diagnosed")
    types = list(found) or lexicon_values(text, "myositis_type")
    if types:
        value = types[-1]  # "no, it was polymyositis" after "dermatomyositis": the last one
        return Reading("other_myositis" if value == "overlap_myositis" else value)
    if has(t, "other_myositis"):
        return Reading("other_myositis")
    if is_not_sure(t) or has(t, "suspected"):
        return Reading("not_sure")
    if t in {"no", "none", "nope", "not yet"}:
        return Reading("not_diagnosed")
    return NOTHING


def parse_first_line_results(text: str) -> Reading:
    t = normalize(text)
    results = phrases()["first_line_results"]
    found = [key for key in RESULT_ORDER if has(t, results[key])]
    if "helping" in found and has(t, "not_helping"):
        found.remove("helping")
    return Reading(found) if found else NOTHING


def parse_first_line_tried(text: str, medicines: Sequence[str] = ()) -> Reading:
    """steroids / immunosuppressants / both / none / not_sure."""
    t = normalize(text)
    meds = set(medicines) or set(lexicon_values(text, "medicine"))
    classes = {medicine_classes().get(m) for m in meds}
    steroids = "steroid" in classes
    others = "immunosuppressant" in classes or has(t, "other_immune_medicines")
    if has(t, "both_tried") or (steroids and others):
        return Reading("both")
    if has(t, "steroids_only") or steroids:
        return Reading("steroids")
    if others:
        return Reading("immunosuppressants")
    if is_not_sure(t):
        return Reading("not_sure")
    if t in phrases()["no_answers"] or has(t, "none_tried"):
        return Reading("none")
    if t in phrases()["yes_answers"]:
        return Reading(problem=problem("first_line_which"))
    return NOTHING


def parse_ivig_status(text: str) -> Reading:
    t = normalize(text)
    if is_not_sure(t):
        return Reading("not_sure")
    if has(t, "ivig_receiving"):
        return Reading("receiving")
    if has(t, "ivig_prescribed") and not has(t, "ivig_none"):
        return Reading("prescribed")
    if t in phrases()["no_answers"] or has(t, "ivig_none"):
        return Reading("none")
    if t in phrases()["yes_answers"]:
        return Reading(problem=problem("ivig_status_which"))
    return NOTHING


def parse_iga(text: str) -> Reading:
    t = normalize(text)
    if has(t, "iga_not_tested") or is_not_sure(t):
        return Reading("not_tested")
    if has(t, "iga_deficient") and not has(t, "iga_denied"):
        return Reading("deficient")
    if has(t, "iga_normal"):
        return Reading("normal")
    if t in phrases()["no_answers"] or has(t, "iga_no_known"):
        return Reading("no_known")
    if t in phrases()["yes_answers"]:
        return Reading(problem=problem("iga_which"))
    return NOTHING


def parse_reaction(text: str, need_topic: bool = False) -> Reading:
    """Earlier severe reaction to immune globulin or blood products: yes / no / not_sure.

    With `need_topic` (the words came as part of another answer), only clear words count.
    """
    t = normalize(text)
    if need_topic and not has(t, "reaction_topic"):
        return NOTHING
    if has(t, "reaction_no"):
        return Reading("no")
    if need_topic:
        if has(t, "reaction_yes_clear"):
            return Reading("yes")
        return Reading("not_sure") if is_not_sure(t) else NOTHING
    if has(t, "reaction_yes"):
        return Reading("yes")
    return parse_yes_no(t)


def parse_insurance(text: str, found: Sequence[str] = ()) -> Reading:
    t = normalize(text)
    kinds = list(found) or lexicon_values(text, "insurance")
    if kinds:
        return Reading(kinds[0])
    if has(t, "insurance_commercial"):
        return Reading("commercial")
    if t in phrases()["no_answers"] or has(t, "insurance_none"):
        return Reading("none")
    if is_not_sure(t):
        return Reading("unsure")
    return NOTHING


@lru_cache(maxsize=1)
def _states() -> dict[str, str]:
    """Lowercased names and codes -> USPS code."""
    table: dict[str, str] = {}
    for code, forms in load_yaml(lexicon.LEXICON_DIR / "us_states.yml")["values"].items():
        for phrase in forms.get("phrases", []):
            table[str(phrase).lower()] = code
        table[code.lower()] = code
    return table


def parse_state(text: str, strict: bool = False) -> Reading:
    """A US state from its name or code. Asked for a state, 'ca' in lowercase counts too."""
    found = lexicon_values(text, "us_state")
    if found:
        return Reading(found[-1])
    if strict:
        return NOTHING
    t = normalize(text).replace(".", "")
    prefixes = "|".join(phrases()["state_prefixes"])
    for candidate in (t, re.sub(rf"^(?:{prefixes})\s+", "", t)):
        if candidate in _states():
            return Reading(_states()[candidate])
    words = t.split()
    if len(words) <= 4:
        for word in reversed(words):
            if len(word) == 2 and word in _states():
                return Reading(_states()[word])
    if len(t) <= 30 and re.fullmatch(r"[a-z .']+", t):
        return Reading(problem=problem("unknown_state", text=text.strip()))
    return NOTHING


def parse_has_doctor(text: str) -> Reading:
    t = normalize(text)
    if has(t, "doctor_rheumatologist"):
        return Reading("rheumatologist")
    if has(t, "doctor_neurologist"):
        return Reading("neurologist")
    if has(t, "doctor_none"):
        return Reading("no")
    if has(t, "doctor_other"):
        return Reading("other_doctor")
    yes_no = parse_yes_no(t)
    if yes_no.value == "yes":
        return Reading("other_doctor")
    if yes_no.value in {"no", "not_sure"}:
        return Reading("no")
    return NOTHING


def is_confirmation(text: str) -> bool:
    t = normalize(text)
    return parse_yes_no(t).value == "yes" or has(t, "confirm")
