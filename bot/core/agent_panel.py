"""What the agent console's side panel shows about a call, from the conversation's state.

Plain data in, plain data out: the Rasa channel hands over the slots and the events, so the
rules (which answers, which outcome, which flags) are tested without a server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.core import call_notes, eligibility
from bot.core.screening import flow

EMERGENCY_INTENT = "emergency"
SELF_HARM_INTENT = "emergency_self_harm"
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


def _flag_label(kind: str, category: str | None) -> str:
    what = f" ({category.replace('_', ' ')})" if category else ""
    if kind == "self_harm":
        return "Possible risk of self-harm: crisis line given"
    if kind == "caution_self_harm":
        return "Mentioned self-harm: told to call or text 988 if it is happening now"
    if kind == "caution":
        return f"Mentioned a red-flag symptom{what}: told to call 911 if it is happening now"
    return f"Possible medical emergency{what}: emergency guidance given"


def red_flag(parse_data: Mapping[str, Any]) -> dict[str, str] | None:
    """The flag the NLU raised on one message (its intent and `red_flag`), if any."""
    intent = (parse_data.get("intent") or {}).get("name")
    flag = parse_data.get("red_flag") or {}
    category = flag.get("category")
    if intent == SELF_HARM_INTENT or (intent == EMERGENCY_INTENT and flag.get("self_harm")):
        kind = "self_harm"
    elif intent == EMERGENCY_INTENT:
        kind = "emergency"
    elif flag.get("level") == "caution":
        kind = "caution_self_harm" if flag.get("self_harm") else "caution"
    else:
        return None
    return {"kind": kind, "label": _flag_label(kind, category)}


def safety_flags(events: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every message of the call that raised a red flag or asked about one's own medicine,
    as the NLU judged it when the message came in (what the caller was told)."""
    flags = []
    for event in events:
        if event.get("event") != "user":
            continue
        parse_data = event.get("parse_data") or {}
        flag = red_flag(parse_data)
        if flag is not None:
            flags.append(flag)
        elif (parse_data.get("intent") or {}).get("name") == BOUNDARY_INTENT:
            flags.append({"kind": "medicine", "label": "Asked about changing their own medicine"})
    return flags


def referral(slots: Mapping[str, Any]) -> dict[str, Any]:
    reference = slots.get("lead_reference")
    if reference:
        wrap_up = call_notes.settings().label(slots.get("call_wrap_up"))
        return {"status": "created", "reference": reference, "wrap_up": wrap_up}
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
