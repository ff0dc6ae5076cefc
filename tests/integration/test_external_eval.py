"""Questions written by others (../shared/eval/), routed by the real server: a report, not a gate.

The figures go to reports/external_eval.{json,md}; the test only checks that every question was
routed and that the report was written, because the questions are a check of generalisation
that the training data must never be tuned against one by one.
"""

import json

import pytest

from bot import PROJECT_ROOT
from bot.action_server.settings import min_topic_confidence
from bot.tools.evaluation import (
    EXTERNAL_QUESTIONS,
    external_report,
    read_questions,
    report_markdown,
)

REPORTS = PROJECT_ROOT / "reports"


@pytest.mark.skipif(
    not EXTERNAL_QUESTIONS.exists(), reason="../shared/eval is not beside the clone"
)
def test_questions_written_by_others_are_routed_and_reported(stack):
    questions = read_questions()
    report = external_report(questions, stack.parse, min_topic_confidence())
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "external_eval.json").write_text(json.dumps(report, indent=2))
    (REPORTS / "external_eval.md").write_text(report_markdown(report))
    print(
        f"\nexternal questions: {report['fitting']}/{report['questions']} fitting "
        f"({report['fitting_rate']:.1%}), {report['answered_off_topic']} answered off topic"
    )
    assert report["questions"] == len(questions)
    assert all(row["route"] for row in report["rows"])
