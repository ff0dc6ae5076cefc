"""What erasing a conversation blanks, and how the reply reports it (pure).

The action server decides that a conversation is to be erased (the person asked, or a lead now
holds the typed contact details encrypted) and says so with one event: the slot
`tracker_rewrite` set to a request. The Rasa server, which alone owns the tracker store, applies
the request to its own rows (bot/rasa_server/rewrites.py) and only then reports what it did, so
nothing says "deleted" unless it was. This module is what both sides agree on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core import call_notes

REWRITE_SLOT = "tracker_rewrite"
ERASE = "erase"  # everything the conversation holds about the person
FORGET_CONTACT = "forget_contact"  # typed name, phone, email and call notes, once a lead holds them
ERASED = "[erased]"
CONTACT_SLOTS = ("contact_name", "contact_phone", "contact_email")
# What the person typed and what was read from it; the intent's name stays, so the dialogue
# can continue, but not its ranking, entities or the response selector's copy of the text.
USER_KEEP = ("event", "timestamp", "input_channel", "message_id")


def erase_request(referrals: Sequence[str]) -> dict[str, Any]:
    """The slot value that asks for the whole conversation to be erased; `referrals` are the
    references of the leads the action server deleted, for the reply."""
    return {"kind": ERASE, "referrals": list(referrals)}


def forget_contact_request() -> dict[str, Any]:
    return {"kind": FORGET_CONTACT}


def request_in(event: Mapping[str, Any]) -> dict[str, Any] | None:
    """The rewrite an event asks for, if it is one."""
    if event.get("event") != "slot" or event.get("name") != REWRITE_SLOT:
        return None
    value = event.get("value")
    if isinstance(value, Mapping) and value.get("kind") in (ERASE, FORGET_CONTACT):
        referrals = [str(r) for r in value.get("referrals") or [] if isinstance(r, str)]
        return {"kind": value["kind"], "referrals": referrals}
    return None


@dataclass
class Erasure:
    """What an erasure changed, for the reply that says exactly what it did."""

    messages: int = 0  # the person's messages blanked
    replies: int = 0  # the bot's replies blanked (summaries and confirmations repeat answers)
    answers: int = 0  # slot values cleared: screening answers, contact details, the referral


def blanked(row_type: str, data: Mapping[str, Any], erasure: Erasure) -> dict[str, Any] | None:
    """The event with everything personal blanked; None if it held nothing to blank."""
    if row_type in ("user", "bot") and data.get("text") == ERASED and not data.get("metadata"):
        return None  # blanked by an earlier erasure
    if row_type == "user":
        intent = (data.get("parse_data") or {}).get("intent") or {}
        kept = {key: data[key] for key in USER_KEEP if key in data}
        erasure.messages += 1
        return {
            **kept,
            "text": ERASED,
            "parse_data": {
                "text": ERASED,
                "intent": {"name": intent.get("name"), "confidence": 1.0},
                "entities": [],
                "message_id": data.get("message_id"),
                "metadata": {},
            },
            "metadata": {},
        }
    if row_type == "bot":
        erasure.replies += 1
        return {**data, "text": ERASED, "data": {}, "metadata": {}}
    if row_type == "slot" and data.get("value") is not None:
        erasure.answers += 1
        return {**data, "value": None}
    if row_type == "entities" and data.get("entities"):
        return {**data, "entities": []}
    if row_type == "session_started" and data.get("metadata"):
        return {**data, "metadata": {}}  # a copy of the first message's metadata
    return None


def erase_rows(
    rows: Iterable[tuple[int, str, Mapping[str, Any]]], erasure: Erasure
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a conversation, (id, type, event), to their blanked versions; `erasure`
    counts what they held."""
    changed = []
    for row_id, row_type, data in rows:
        new = blanked(row_type, data, erasure)
        if new is not None:
            changed.append((row_id, new))
    return changed


def forget_contact_rows(
    rows: Iterable[tuple[int, str, Mapping[str, Any]]],
) -> list[tuple[int, dict[str, Any]]]:
    """The rows, in order, whose typed name, phone or email (the answers and those slots), or
    an agent's call notes (the message that carried them) are to be blanked; the intent
    stays."""
    changed, asking = [], None
    for row_id, row_type, data in rows:
        new = None
        if row_type == "slot" and data.get("name") == "requested_slot":
            asking = data.get("value")
        elif row_type == "slot" and data.get("name") in CONTACT_SLOTS and data.get("value"):
            new = {**data, "value": None}
        elif row_type == "user" and data.get("text") != ERASED:
            intent = ((data.get("parse_data") or {}).get("intent") or {}).get("name")
            if asking in CONTACT_SLOTS or intent == call_notes.INTENT:
                new = blanked("user", data, Erasure())
        if new is not None:
            changed.append((row_id, new))
    return changed


def reply(referrals: Sequence[str], erasure: Erasure | None, days: int) -> dict[str, Any]:
    """Which response says what the erasure did, with the figures it fills in; `erasure` is
    None when the transcript could not be erased (its retention period then applies)."""
    refs = ", ".join(referrals)
    if erasure is None:
        if referrals:
            return dict(response="utter_erased_referral_only", references=refs, days=days)
        return dict(response="utter_erase_failed", days=days)
    counts = {"messages": erasure.messages, "replies": erasure.replies, "answers": erasure.answers}
    if referrals:
        return dict(response="utter_erased_with_referral", references=refs, **counts)
    return dict(response="utter_erased_no_referral", **counts)
