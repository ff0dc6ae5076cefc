"""What a person states about themselves in passing, read with the screening's own parsers.

"My dad is 67 and has polymyositis; prednisone stopped helping; he lives in Nevada and has
Medicare" gives who it is for, the age, the diagnosis, the first-line treatment and how it went,
the state and the insurance. Only readings precise enough to take without asking are kept
(the screening's strict readings: a weight needs its unit, a state must be named).
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from bot.core.screening import flow, parsing

AGE = re.compile(
    r"\b(?:is|am|im|i'm|aged|age|turned|turning)\s+(\d{1,3})\b(?!\s*(?:lbs?|kg|pounds|%))|"
    r"\b(\d{1,3})[- ](?:years?|yrs?)[- ]old\b|\b(\d{1,3})\s*(?:yo|y/o)\b",
    re.I,
)
STRICT_SLOTS = ("diagnosis", "weight_kg", "us_state", "insurance", "first_line_result",
                "severe_reaction")  # fmt: skip


def stated_facts(text: str, entities: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Screening answers the text gives plainly, by slot name."""
    found: dict[str, Any] = {}
    if not entities:  # outside the NLU pipeline, the lexicons themselves
        entities = [
            {"entity": kind, "value": value}
            for kind in ("myositis_type", "insurance", "medicine")
            for value in parsing.lexicon_values(text, kind)
        ]
    for slot in STRICT_SLOTS:
        reading = flow._strict_reading(slot, text, entities)
        if reading.found:
            found[slot] = reading.value
    medicines = [str(e["value"]) for e in entities if e.get("entity") == "medicine"]
    medicines = medicines or parsing.lexicon_values(text, "medicine")
    if medicines or "first_line_result" in found:
        tried = parsing.parse_first_line_tried(text, medicines)
        if tried.found:
            found["first_line_tried"] = tried.value
    if parsing.has(parsing.normalize(text), "relative"):
        found["for_whom"] = "other"
    elif re.search(
        r"\b(?:for me|for myself|i have|i was diagnosed|i've been diagnosed)\b", text, re.I
    ):
        found["for_whom"] = "self"
    age = AGE.search(text)
    if age:
        value = int(next(g for g in age.groups() if g))
        if 0 < value < 120:
            found["patient_age"] = value
    status = parsing.parse_ivig_status(text)
    if status.found and re.search(r"\bivig\b", text, re.I):
        found["ivig_status"] = status.value
    return found
