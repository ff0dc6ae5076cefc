"""Measuring the NLU: the held-out accuracy gate and the report on questions written by others.

`python -m bot.tools.evaluation gate DIR` fails `make test` when `rasa test` measured intent or
response-selection accuracy below the bar. `external_report` scores how the bot routes the
questions in ../shared/eval/ (never training data): a report, not a gate.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bot import PROJECT_ROOT
from bot.core.routing import FAQ_INTENT

GATED_REPORTS = {
    "intent": "intent_report.json",
    "response selection": "response_selection_report.json",
}
EXTERNAL_QUESTIONS = PROJECT_ROOT.parent / "shared" / "eval" / "external_questions.tsv"

# An honest "I don't have that" or a request to rephrase: fitting for anything uncovered.
DECLINES = frozenset({"ask_not_covered", "nlu_fallback", "out_of_scope"})

# Which routes fit each label of ../shared/eval/README.md. A label missing here (a capability
# not built yet) is fitted only by an honest decline.
FITTING_ROUTES: dict[str, frozenset[str]] = {
    label: frozenset(routes)
    for label, routes in {
        "what_is_myositis": {"faq/what_is_myositis", "faq/how_common", "faq/who_gets_it"},
        "causes": {"faq/causes"},
        "symptoms": {"faq/symptoms"},
        "types": {"faq/types"},
        "dermatomyositis": {"faq/dermatomyositis"},
        "polymyositis": {"faq/polymyositis"},
        "ibm": {"faq/inclusion_body_myositis"},
        "necrotizing": {"faq/necrotizing_myopathy"},
        "juvenile": {"faq/juvenile_myositis"},
        "treatment_first_line": {"faq/cure_and_first_line"},
        "what_is_ivig": {"faq/what_is_ivig"},
        "how_ivig_works": {"faq/how_ivig_works"},
        "ivig_for_which_types": {"faq/ivig_for_which_types", "faq/when_ivig_used"},
        "ivig_dose": {"faq/ivig_dose"},
        "ivig_frequency": {"faq/ivig_frequency"},
        "ivig_side_effects": {"faq/side_effects"},
        "infusion_reaction": {"faq/infusion_reaction"},
        "iga_deficiency": {"faq/iga_deficiency"},
        "ivig_success": {"faq/ivig_success"},
        "home_infusion": {"faq/home_infusion"},
        "cost_insurance_copay": {"faq/copay_help"},
        "eligibility": {"check_eligibility"},
        "contact_specialist": {"request_human"},
        "emergency": {"emergency"},
        "out_of_scope": set(),
    }.items()
}


def route(parse: Mapping[str, Any], threshold: float) -> str:
    """Where the assistant sends a parsed message: an intent, or `faq/<topic>` for FAQ answers."""
    intent = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    if intent != FAQ_INTENT:
        return intent
    selector = (parse.get("response_selector") or {}).get(FAQ_INTENT) or {}
    response = selector.get("response") or {}
    if float(response.get("confidence") or 0.0) < threshold:
        return "nlu_fallback"
    return response.get("intent_response_key") or "nlu_fallback"


def is_fitting(label: str, routed: str) -> bool:
    return routed in DECLINES or routed in FITTING_ROUTES.get(label, frozenset())


@dataclass(frozen=True)
class Routed:
    question: str
    label: str
    route: str
    fitting: bool
    answered: bool


def read_questions(path: Path = EXTERNAL_QUESTIONS) -> list[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [(row["question"], row["topic"]) for row in csv.DictReader(handle, delimiter="\t")]


def external_report(
    questions: Iterable[tuple[str, str]],
    parse: Callable[[str], Mapping[str, Any]],
    threshold: float,
) -> dict[str, Any]:
    rows = []
    for question, label in questions:
        routed = route(parse(question), threshold)
        rows.append(
            Routed(question, label, routed, is_fitting(label, routed), routed.startswith("faq/"))
        )
    fitting = sum(row.fitting for row in rows)
    answered_right = sum(row.fitting and row.answered for row in rows)
    wrong_answers = [row for row in rows if row.answered and not row.fitting]
    by_label = Counter(row.label for row in rows)
    fit_by_label = Counter(row.label for row in rows if row.fitting)
    return {
        "questions": len(rows),
        "fitting": fitting,
        "fitting_rate": round(fitting / len(rows), 3) if rows else 0.0,
        "answered_on_topic": answered_right,
        "answered_off_topic": len(wrong_answers),
        "by_label": {label: [fit_by_label[label], by_label[label]] for label in sorted(by_label)},
        "rows": [asdict(row) for row in rows],
    }


def report_markdown(report: Mapping[str, Any]) -> str:
    lines = [
        "# Routing of questions written by others (../shared/eval/)",
        "",
        f"Fitting: {report['fitting']} of {report['questions']} ({report['fitting_rate']:.1%}): "
        "answered on the right topic, or honestly declined.",
        f"Answered on the right topic: {report['answered_on_topic']}. "
        f"Answered on a wrong topic: {report['answered_off_topic']}.",
        "",
        "| label | fitting / questions |",
        "| --- | --- |",
    ]
    lines += [f"| {label} | {fit} / {n} |" for label, (fit, n) in report["by_label"].items()]
    lines += ["", "## Misrouted", "", "| question | label | routed to |", "| --- | --- | --- |"]
    lines += [
        f"| {row['question'][:90]} | {row['label']} | {row['route']} |"
        for row in report["rows"]
        if not row["fitting"]
    ]
    return "\n".join(lines) + "\n"


def gate(report_dir: Path, minimum: float) -> list[str]:
    """Failures, one line each, for every gated report below `minimum` accuracy."""
    failures = []
    for name, filename in GATED_REPORTS.items():
        path = report_dir / filename
        if not path.exists():
            failures.append(f"{name}: no report at {path} (did rasa test run?)")
            continue
        accuracy = float(json.loads(path.read_text())["accuracy"])
        verdict = "ok" if accuracy >= minimum else "BELOW THE BAR"
        print(f"held-out {name} accuracy: {accuracy:.3f} (bar {minimum:.2f}) {verdict}")
        if accuracy < minimum:
            failures.append(f"{name} accuracy {accuracy:.3f} < {minimum:.2f}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.evaluation")
    commands = parser.add_subparsers(dest="command", required=True)
    gate_parser = commands.add_parser("gate", help="fail when held-out accuracy is too low")
    gate_parser.add_argument("report_dir", type=Path)
    gate_parser.add_argument("--min", type=float, default=0.90)
    args = parser.parse_args(argv)
    failures = gate(args.report_dir, args.min)
    for failure in failures:
        print(f"NLU gate: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
