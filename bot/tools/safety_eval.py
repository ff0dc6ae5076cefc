"""The safety net's measure: recall and false alarms per family, for each evaluation set.

`python -m bot.tools.safety_eval` writes reports/safety_eval.json for the team's first sets and the
development half of the sets written apart from the project; `--sealed` adds the sealed half,
which is run only for the final figure, never while developing.

Recall counts a message whose reply starts with emergency guidance: a full emergency, or the
caution net ("If this is happening now, call 911"), which is reported beside it. A false alarm
is a full emergency reply to a calm message; cautions on calm messages are reported too.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from bot import PROJECT_ROOT
from bot.core.safety import RedFlag, detect

SETS = PROJECT_ROOT / "tests" / "safety"
REPORT = PROJECT_ROOT / "reports" / "safety_eval.json"

Judge = Callable[[str], "RedFlag | None"]


@dataclass(frozen=True)
class Case:
    family: str
    label: str  # emergency, self_harm or calm
    text: str

    @property
    def is_alarm(self) -> bool:
        return self.label != "calm"


def read_tsv(path: Path) -> list[Case]:
    """A set with a header line `family<TAB>label<TAB>text`."""
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    assert header.split("\t") == ["family", "label", "text"], path
    return [Case(*row.split("\t", 2)) for row in rows if row.strip()]


def read_first_sets(directory: Path = SETS) -> list[Case]:
    """The team's first sets: red_flags.txt (text<TAB>category) and non_emergencies.txt."""

    def lines(name: str) -> list[str]:
        text = (directory / name).read_text(encoding="utf-8")
        return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]

    cases = []
    for line in lines("red_flags.txt"):
        text, category = line.split("\t")
        cases.append(Case(category, "self_harm" if category == "self_harm" else "emergency", text))
    cases += [Case("non_emergency", "calm", text) for text in lines("non_emergencies.txt")]
    return cases


def measure(cases: Iterable[Case], judge: Judge = detect) -> dict:
    """Per family: how many, caught as emergency, caught by the caution net, missed; self-harm
    told apart; for calm families, false alarms and cautions. With the messages missed."""
    families: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    misses: list[dict] = []
    for case in cases:
        flag = judge(case.text)
        level = flag.level if flag else None
        counts = families[case.family]
        counts["messages"] += 1
        if case.is_alarm:
            counts["emergency"] += level == "emergency"
            counts["caution"] += level == "caution"
            caught = level in ("emergency", "caution")
            if not caught:
                misses.append({"family": case.family, "text": case.text, "level": level})
            elif case.label == "self_harm" and not flag.is_self_harm:
                counts["self_harm_without_988"] += 1
                misses.append({"family": case.family, "text": case.text, "level": "no 988"})
        else:
            counts["false_alarms"] += level == "emergency"
            counts["cautions"] += level == "caution"
            if level in ("emergency", "caution"):
                misses.append({"family": case.family, "text": case.text, "level": level})
    return {"families": {f: dict(c) for f, c in sorted(families.items())}, "misses": misses}


def summary(result: dict) -> dict:
    """Recall and false-alarm rates over a measured set."""
    alarms = [c for c in result["families"].values() if "emergency" in c]
    calm = [c for c in result["families"].values() if "false_alarms" in c]
    n_alarm = sum(c["messages"] for c in alarms)
    n_calm = sum(c["messages"] for c in calm)
    emergency = sum(c["emergency"] for c in alarms)
    caution = sum(c["caution"] for c in alarms)
    return {
        "alarm_messages": n_alarm,
        "recall": round((emergency + caution) / n_alarm, 4) if n_alarm else None,
        "recall_full_emergency": round(emergency / n_alarm, 4) if n_alarm else None,
        "self_harm_without_988": sum(c.get("self_harm_without_988", 0) for c in alarms),
        "calm_messages": n_calm,
        "false_alarm_rate": (
            round(sum(c["false_alarms"] for c in calm) / n_calm, 4) if n_calm else None
        ),
        "caution_rate": round(sum(c["cautions"] for c in calm) / n_calm, 4) if n_calm else None,
    }


def sets(sealed: bool = False) -> dict[str, list[Case]]:
    found = {
        "first_sets": read_first_sets(),
        "development": read_tsv(SETS / "dev" / "emergencies.tsv")
        + read_tsv(SETS / "dev" / "calm.tsv"),
    }
    if sealed:
        found["sealed"] = read_tsv(SETS / "sealed" / "emergencies.tsv") + read_tsv(
            SETS / "sealed" / "calm.tsv"
        )
    return found


def report(sealed: bool = False, judge: Judge = detect, path: Path = REPORT) -> dict:
    result = {}
    for name, cases in sets(sealed).items():
        measured = measure(cases, judge)
        result[name] = {"summary": summary(measured), **measured}
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sealed", action="store_true", help="also the sealed half (final only)")
    args = parser.parse_args()
    for name, measured in report(args.sealed).items():
        print(name, json.dumps(measured["summary"]))
    print(f"written to {REPORT.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
