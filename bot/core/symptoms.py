"""What the curated content says about the symptoms someone describes, without diagnosing.

The reply names the forms of myositis the article links with those symptoms, says plainly that
only a doctor can diagnose, and which kind of doctor checks for myositis. It never says what a
person has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot import DATA_DIR
from bot.core.yamlio import load_yaml

LINKS_FILE = DATA_DIR / "knowledge" / "symptom_links.yml"


@dataclass(frozen=True)
class SymptomReply:
    text: str
    refs: tuple[int, ...]


@lru_cache(maxsize=1)
def links() -> dict[str, Any]:
    return load_yaml(LINKS_FILE)


def _spoken(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def reply(symptoms: Iterable[str]) -> SymptomReply:
    data = links()
    known = [s for s in dict.fromkeys(symptoms) if s in data["symptoms"]]
    if not known:
        text = f"{data['general'].strip()}\n\n{data['doctor'].strip()}"
        return SymptomReply(text, tuple(data["general_refs"]))
    labels = [data["symptoms"][s]["label"] for s in known]
    lines = [str(data["thanks"]).format(symptoms=_spoken(labels))]
    lines += [data["symptoms"][s]["link"] for s in known]
    lines.append(data["doctor"].strip())
    refs = sorted({r for s in known for r in data["symptoms"][s]["refs"]})
    return SymptomReply("\n\n".join([lines[0], " ".join(lines[1:-1]), lines[-1]]), tuple(refs))
