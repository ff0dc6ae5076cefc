"""What the agent console's side panel shows about a call, from the conversation's state.

Plain data in, plain data out: the Rasa channel hands over the slots and the events, so the
rules (which answers, which outcome, which flags) are tested without a server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot import eligibility, safety
from bot.screening import flow

EMERGENCY_INTENT = "emergency"
BOUNDARY_INTENT = "medication_advice"


def answers(slots: Mapping[str, Any]) -> list[dict[str, str]]:
    """The screening answers given so far, labelled as the summary labels them."""
    given = {slot: slots.get(slot) for slot in flow.SCREENING_SLOTS}
    return [{"question": name, "answer": shown} for name, shown in flow.summary_rows(given)]


def outcome(slots: Mapping[str, Any]) -> dict[str, Any] | None:
    """The outcome with its reasons, once the screening has finished."""
    if not slots.get("screening_outcome"):
        return None
    given = {slot: slots.get(slot) for slot in flow.SCREENING_SLOTS}
    found = eligibility.outcomes(given)
    return {
        "outcomes": [{"title": o.title, "reasons": list(o.reasons)} for o in found],
    }


def flag_label(flag: safety.RedFlag | None) -> str:
    if flag is not None and flag.is_self_harm:
        return "Possible risk of self-harm: crisis line given"
    what = f" ({flag.category.replace('_', ' ')})" if flag is not None else ""
    return f"Possible medical emergency{what}: emergency guidance given"


def safety_flags(events: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every message of the call that raised a red flag or asked about one's own medicine."""
    flags = []
    for event in events:
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent == EMERGENCY_INTENT:
            flag = safety.detect(event.get("text") or "")
            flags.append({"kind": "emergency", "label": flag_label(flag)})
        elif intent == BOUNDARY_INTENT:
            flags.append({"kind": "medicine", "label": "Asked about changing their own medicine"})
    return flags


def referral(slots: Mapping[str, Any]) -> dict[str, Any]:
    reference = slots.get("lead_reference")
    if reference:
        return {"status": "created", "reference": reference}
    if slots.get("handoff_consent_at"):
        return {"status": "consent given, collecting contact details"}
    return {"status": "none"}


def panel(slots: Mapping[str, Any], events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {
        "answers": answers(slots),
        "in_screening": slots.get("requested_slot") is not None,
        "outcome": outcome(slots),
        "safety_flags": safety_flags(events),
        "referral": referral(slots),
    }
