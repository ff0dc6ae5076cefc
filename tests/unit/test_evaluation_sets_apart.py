"""Evaluation text is never training data: no message or turn of the understanding sets, the
held-out NLU set or ../shared/eval/ is an NLU example, word for word."""

import json
import re

from bot import PROJECT_ROOT
from bot.core.understanding import training
from bot.tools import evaluation


def normal(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", text.lower()))


def evaluation_texts() -> set[str]:
    """Every set the project holds, and ../shared/eval/ when it is beside the clone."""
    texts: set[str] = set()
    if evaluation.EXTERNAL_QUESTIONS.exists():
        texts |= {question for question, _ in evaluation.read_questions()}
    for path in (PROJECT_ROOT / "tests" / "understanding").glob("*/*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line:
                item = json.loads(line)
                texts |= {item["text"]} if "text" in item else {t["text"] for t in item["turns"]}
    heldout = (PROJECT_ROOT / "tests" / "nlu" / "heldout.yml").read_text(encoding="utf-8")
    texts |= {line.strip()[2:] for line in heldout.splitlines() if line.strip().startswith("- ")}
    return {normal(text) for text in texts if len(text.split()) >= 3}


def test_no_evaluation_text_is_a_training_example():
    examples = {normal(text) for text, _ in training.nlu_examples()}
    assert len(evaluation_texts()) > 500
    assert not examples & evaluation_texts()
