"""What a lead may hold, checked again when it is stored.

The action server receives the whole tracker from its caller; slot values reach it as the
caller sent them, not necessarily as the form validated them. Before anything is stored, each
field is read again with the same readers the form uses (bot/action_server/leads/contact.py), and
the
screening answers, outcome, topics and channel are bounded to their known shapes. Anything
that does not fit is dropped, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

from bot.action_server.leads import contact
from bot.action_server.leads.store import Contact

CHANNELS = frozenset({"rest", "socketio", "twilio", "whatsapp", "agent_assist", "cmdline"})
MAX_VALUE_CHARS = 80
MAX_ITEMS = 30


def checked_contact(name: Any, method: Any, phone: Any, email: Any, time: Any) -> Contact:
    """The contact details that read as what they claim to be; None for any that do not."""

    def read(reader, value: Any) -> str | None:  # type: ignore[no-untyped-def]
        if not isinstance(value, str) or not value.strip():
            return None
        reading = reader(value)
        return reading.value if reading.found else None

    return Contact(
        name=read(contact.parse_name, name),
        phone=read(contact.parse_phone, phone),
        email=read(contact.parse_email, email),
        method=read(contact.parse_method, method),
        time=read(contact.parse_time, time),
    )


def _short(value: Any) -> bool:
    if isinstance(value, (bool, int, float)):
        return True
    return isinstance(value, str) and len(value) <= MAX_VALUE_CHARS


def checked_answers(answers: Mapping[str, Any], known_slots: Iterable[str]) -> dict[str, Any]:
    """Screening answers of known slots with short scalar values; nothing else."""
    known = set(known_slots)
    return {k: v for k, v in answers.items() if k in known and v is not None and _short(v)}


def checked_labels(values: Any) -> list[str]:
    """A list of short labels (topics, outcome names): strings only, bounded."""
    if not isinstance(values, (list, tuple)):
        return []
    return [v for v in values if isinstance(v, str) and len(v) <= MAX_VALUE_CHARS][:MAX_ITEMS]


def checked_channel(channel: Any) -> str:
    return channel if isinstance(channel, str) and channel in CHANNELS else "unknown"


def checked_moment(value: Any) -> datetime:
    """The consent time the conversation recorded, or now when it is missing or malformed."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    return datetime.now(timezone.utc)
