"""The IVIG screening's outcome, from the rules in data/screening/rules.yml.

Pure functions over a dict of answers (slot name -> normalized value), with no Rasa in sight.
The screen informs and routes; it never decides treatment, and it says why for every outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot import DATA_DIR
from bot.core.program import PROGRAM_FILE, configured, load_program
from bot.core.yamlio import load_yaml

RULES_FILE = DATA_DIR / "screening" / "rules.yml"
STATES_FILE = DATA_DIR / "lexicons" / "us_states.yml"

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Rules:
    service_area: frozenset[str]
    limits: Mapping[str, Any]
    dosing: Mapping[str, Any]
    outcomes: Sequence[Mapping[str, Any]]
    financial_help: Mapping[str, str]
    labels: Mapping[str, Mapping[str, str]]
    state_names: Mapping[str, str]
    financial_help_label: str = ""


@dataclass(frozen=True)
class Outcome:
    id: str
    title: str
    text: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Dosing:
    """The article's per-kg rates: general information, never an amount for a person."""

    induction_g_per_kg: float
    induction_days: str
    maintenance_g_per_kg: float
    maintenance_every: str
    refs: tuple[int, ...]


def load_rules(path: Path = RULES_FILE, program_path: Path = PROGRAM_FILE) -> Rules:
    raw = load_yaml(path)
    area = load_program(program_path).service_area  # a program setting, not a rule
    states_lexicon = load_yaml(STATES_FILE)["values"]
    names = {code: forms["phrases"][0].title() for code, forms in states_lexicon.items()}
    return Rules(
        service_area=area,
        limits=raw["limits"],
        dosing=raw["dosing"],
        outcomes=raw["outcomes"],
        financial_help=raw["financial_help"],
        labels=raw["labels"],
        state_names=names,
        financial_help_label=str(raw.get("financial_help_label", "")),
    )


def default_rules() -> Rules:
    """Loaded once per program configuration (the service area is a program setting)."""
    return _default_rules(tuple(sorted(configured().items())))


@lru_cache(maxsize=2)
def _default_rules(_settings: tuple[tuple[str, str], ...]) -> Rules:
    return load_rules()


def label(rules: Rules, slot: str, value: Any) -> str:
    """An answer in plain words: 'inclusion body myositis', 'California', '74.8 kg'."""
    if value is None:
        return "not answered"
    if slot == "us_state":
        return rules.state_names.get(str(value), str(value))
    if slot == "weight_kg":
        return f"{round(float(value), 1):g} kg ({float(value) / 0.45359237:.0f} lb)"
    if isinstance(value, list):
        return " and ".join(label(rules, slot, item) for item in value)
    names = rules.labels.get(slot, {})
    return names.get(str(value), str(value))


def _holds(condition: Mapping[str, Any], answers: Answers, rules: Rules) -> bool:
    if "all_of" in condition:
        return all(_holds(part, answers, rules) for part in condition["all_of"])
    if "any_of" in condition:
        return any(_holds(part, answers, rules) for part in condition["any_of"])
    value = answers.get(condition["slot"])
    if value is None:
        return False
    if "in" in condition:
        return str(value) in {str(v) for v in condition["in"]}
    if "not_in" in condition:
        return str(value) not in {str(v) for v in condition["not_in"]}
    if "below" in condition:
        return float(value) < float(condition["below"])
    if "has_any" in condition:
        values = value if isinstance(value, list) else [value]
        return any(str(v) in {str(w) for w in condition["has_any"]} for v in values)
    if condition.get("outside_service_area"):
        return str(value) not in rules.service_area
    raise ValueError(f"unknown condition: {dict(condition)}")


def _fill(template: str, answers: Answers, rules: Rules) -> str:
    slots = {slot: label(rules, slot, answers.get(slot)) for slot in answers}
    return template.format_map(_Missing(slots))


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "not answered"


def _reasons(condition: Mapping[str, Any], answers: Answers, rules: Rules) -> list[str]:
    """The reasons of every part of a condition that holds, outermost first."""
    if not _holds(condition, answers, rules):
        return []
    found = [_fill(condition["reason"], answers, rules)] if "reason" in condition else []
    for part in condition.get("all_of", []) + condition.get("any_of", []):
        found += _reasons(part, answers, rules)
    return found


def outcomes(answers: Answers, rules: Rules | None = None) -> list[Outcome]:
    """Every outcome whose conditions hold, in the order of the rules file."""
    rules = rules or default_rules()
    result = []
    for spec in rules.outcomes:
        if "when_all" in spec:
            condition = {"all_of": spec["when_all"]}
        else:
            condition = {"any_of": spec["when_any"]}
        if _holds(condition, answers, rules):
            reasons = _reasons(condition, answers, rules)
            result.append(
                Outcome(
                    spec["id"],
                    spec["title"],
                    _fill(spec["text"], answers, rules),
                    tuple(dict.fromkeys(reasons)),
                )
            )
    return result


def _flagged(condition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The conditions with a `flag`, within `condition` and itself, outermost first."""
    found = [condition] if "flag" in condition else []
    for key in ("all_of", "any_of", "when_all", "when_any"):
        for part in condition.get(key, []):
            found += _flagged(part)
    return found


def safety_flags(answers: Answers, rules: Rules | None = None) -> list[str]:
    """The safety flags stored with a referral ("iga_not_tested", ...): the `flag` of every
    rule condition that holds, in the order of the rules file."""
    rules = rules or default_rules()
    flags = [
        str(condition["flag"])
        for spec in rules.outcomes
        for condition in _flagged(spec)
        if _holds(condition, answers, rules)
    ]
    return list(dict.fromkeys(flags))


def dosing(rules: Rules | None = None) -> Dosing:
    spec = (rules or default_rules()).dosing
    return Dosing(
        induction_g_per_kg=float(spec["induction_g_per_kg"]),
        induction_days=str(spec["induction_days"]),
        maintenance_g_per_kg=float(spec["maintenance_g_per_kg"]),
        maintenance_every=str(spec["maintenance_every"]),
        refs=tuple(spec["refs"]),
    )


def dose_text(rules: Rules | None = None, short: bool = False) -> str:
    """The article's per-kg rates as general information, and that the prescriber decides.

    It takes no weight on purpose: the screen never works out an amount for a person.
    """
    rules = rules or default_rules()
    rates = dosing(rules)
    values = {
        "induction_g_per_kg": f"{rates.induction_g_per_kg:g}",
        "induction_days": rates.induction_days,
        "maintenance_g_per_kg": f"{rates.maintenance_g_per_kg:g}",
        "maintenance_every": rates.maintenance_every,
    }
    text = rules.dosing["general_short" if short else "general"]
    return " ".join(str(text).split()).format_map(values)


def after_weight_text(rules: Rules | None = None) -> str:
    """Said when the weight is given: what the weight is for, with no amount."""
    return " ".join(str((rules or default_rules()).dosing["after_weight"]).split())


def financial_note(insurance: str | None, rules: Rules | None = None) -> str | None:
    """The note on help with costs, with its label: insurance rules are the team's."""
    rules = rules or default_rules()
    note = rules.financial_help.get(insurance or "unsure")
    if note is None:
        return None
    return f"{note} {rules.financial_help_label}".strip()
