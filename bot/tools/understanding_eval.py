"""The measure of understanding whole messages and follow-ups, over the real server.

Sets: tests/understanding/{dev,sealed}/long_messages.jsonl (each message with the topics and
actions a good reply must cover) and followups.jsonl (the expected topic at every turn),
written apart from the project. A reply covers a label when it holds that label's own words:
the answer text of an FAQ topic, or the first line of the response that starts an action
(the consent question of the handoff, the screening's first question, ...). The judge reads
those words from the domain and the answers file, so it follows the content as it changes.

`python -m bot.tools.understanding_eval URL` runs the development half against a running server;
`--sealed` runs the sealed half, `--set fresh` ... `fresh4` a set written later by
other hands (run once unseen, then a development set).
The report goes to reports/.
"""

from __future__ import annotations

import argparse
import json
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from bot import DATA_DIR, PROJECT_ROOT
from bot.core.yamlio import load_yaml

SETS = PROJECT_ROOT / "tests" / "understanding"
REPORTS = PROJECT_ROOT / "reports"
SIGNATURE_WORDS = 8

# The response whose words show that a reply took up an action or an honest decline.
ACTION_RESPONSES = {
    # The consent question, or, once consent was given ("yes" to "can someone call me?"), the
    # first contact question: the handoff is under way either way.
    "handoff": ["utter_ask_handoff_consent", "utter_ask_contact_name"],
    # The screening has started when any of its questions is asked: what the message already
    # said is not asked again.
    "start_screening": [
        "utter_welcome_back_screening",
        *(
            f"utter_ask_{slot}"
            for slot in (
                "for_whom",
                "patient_age",
                "guardian_involved",
                "diagnosis",
                "first_line_tried",
                "first_line_result",
                "ivig_status",
                "iga_status",
                "severe_reaction",
                "weight_kg",
                "insurance",
                "us_state",
                "has_doctor",
            )
        ),
    ],
    "erase": ["utter_confirm_delete"],
    "not_covered": [
        "utter_not_covered",
        "utter_not_covered_in_screening",
        "utter_not_covered_part",
    ],
    "out_of_scope": [
        "utter_out_of_scope",
        "utter_out_of_scope_in_screening",
        "utter_out_of_scope_part",
    ],
}

Say = Callable[[str, str], list[str]]  # (conversation id, text) -> reply texts


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _texts_of(variants: Any) -> list[str]:
    return [str(v["text"]) for v in variants or [] if isinstance(v, dict) and v.get("text")]


def _signature(text: str) -> tuple[str, ...]:
    """The first words of the longest stretch without a placeholder such as {phone}."""
    longest = max(re.split(r"\{[^}]*\}", text), key=lambda part: len(_words(part)))
    return tuple(_words(longest)[:SIGNATURE_WORDS])


@lru_cache(maxsize=1)
def signatures() -> dict[str, list[tuple[str, ...]]]:
    """For each label, word runs any of which shows the reply covers it."""
    domain = load_yaml(PROJECT_ROOT / "domain.yml")["responses"]
    answers = load_yaml(DATA_DIR / "knowledge" / "answers.yml")["responses"]
    found: dict[str, list[tuple[str, ...]]] = {}
    for name, variants in answers.items():
        topic = name.split("/", 1)[1]
        found[topic] = [_signature(t) for t in _texts_of(variants)]
    for label, names in ACTION_RESPONSES.items():
        found[label] = [_signature(t) for n in names for t in _texts_of(domain.get(n))]
    return found


def covers(reply: Iterable[str], label: str) -> bool:
    words = _words(" ".join(reply))
    joined = " " + " ".join(words) + " "
    return any(" " + " ".join(sig) + " " in joined for sig in signatures().get(label, []) if sig)


@dataclass(frozen=True)
class Outcome:
    id: str
    ok: bool
    expected: list[str]
    missing: list[str]
    text: str
    reply: str


def judge_message(item: dict, say: Say) -> Outcome:
    reply = say(f"eval-{item['id']}-{uuid.uuid4().hex[:8]}", item["text"])
    missing = [label for label in item["expect"] if not covers(reply, label)]
    return Outcome(item["id"], not missing, item["expect"], missing, item["text"], "\n".join(reply))


def judge_conversation(item: dict, say: Say) -> list[Outcome]:
    sender = f"eval-{item['id']}-{uuid.uuid4().hex[:8]}"
    outcomes = []
    for number, turn in enumerate(item["turns"], start=1):
        reply = say(sender, turn["text"])
        ok = covers(reply, turn["expect"])
        outcomes.append(
            Outcome(
                f"{item['id']}.{number}",
                ok,
                [turn["expect"]],
                [] if ok else [turn["expect"]],
                turn["text"],
                "\n".join(reply),
            )
        )
    return outcomes


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def evaluate(half: str, say: Say) -> dict:
    messages = [judge_message(m, say) for m in read_jsonl(SETS / half / "long_messages.jsonl")]
    turns = [
        outcome
        for conversation in read_jsonl(SETS / half / "followups.jsonl")
        for outcome in judge_conversation(conversation, say)
    ]

    def rate(items: list[Outcome]) -> float:
        return round(sum(o.ok for o in items) / len(items), 4) if items else 0.0

    return {
        "half": half,
        "long_messages": {"count": len(messages), "all_parts_answered": rate(messages)},
        "followup_turns": {"count": len(turns), "answered_in_context": rate(turns)},
        "misses": [o.__dict__ for o in messages + turns if not o.ok],
    }


def rest_say(url: str) -> Say:
    import requests

    def say(sender: str, text: str) -> list[str]:
        response = requests.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=30
        )
        response.raise_for_status()
        return [m.get("text", "") for m in response.json() if isinstance(m, dict)]

    return say


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the Rasa server, e.g. http://127.0.0.1:5005")
    parser.add_argument("--sealed", action="store_true", help="the sealed half (final only)")
    parser.add_argument(
        "--set",
        choices=sorted(p.name for p in SETS.iterdir() if (p / "long_messages.jsonl").exists()),
        help="another set by its folder (fresh ... fresh4: written apart, run once unseen)",
    )
    args = parser.parse_args()
    half = args.set or ("sealed" if args.sealed else "dev")
    result = evaluate(half, rest_say(args.url.rstrip("/")))
    REPORTS.mkdir(exist_ok=True)
    path = REPORTS / f"understanding_eval_{half}.json"
    path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "misses"}))
    print(f"written to {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
