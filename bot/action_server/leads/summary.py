"""The handoff summary a specialist reads: what was asked, the screen, safety, how to reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.action_server.leads.store import LeadView
from bot.core import call_notes
from bot.core.eligibility import default_rules, label
from bot.core.screening import flow

# WhatsApp lets a business answer freely only within 24 hours of the person's last message.
WHATSAPP_WINDOW = timedelta(hours=24)


def summary_text(lead: LeadView) -> str:
    rules = default_rules()
    contact = lead.contact
    lines = [
        f"Referral {lead.reference} ({lead.status}), from the {lead.channel} channel, "
        f"{lead.created_at:%Y-%m-%d %H:%M} UTC",
        f"Name: {contact.name or 'not given'}",
        f"Reach by: {contact.method or 'any'}; phone {contact.phone or '-'}; "
        f"email {contact.email or '-'}; best time: {contact.time or 'any'}",
        f"Asked about: {', '.join(lead.topics) or 'nothing specific'}",
    ]
    if lead.channel == "whatsapp":
        window = lead.created_at + WHATSAPP_WINDOW
        lines.append(
            f"WhatsApp: a free-form reply is possible until {window:%Y-%m-%d %H:%M} UTC (24 hours "
            "after their last message); after that, only an approved template, or call them"
        )
    answered = {k: v for k, v in lead.screening.items() if v is not None}
    if answered:
        lines.append("Screening answers:")
        for slot, value in answered.items():
            if slot in flow.SCREENING_SLOTS and slot != "screening_confirmed":
                lines.append(f"  - {flow.question(slot).label}: {label(rules, slot, value)}")
    lines.append(f"Outcome: {', '.join(lead.outcome) or 'no screening'}")
    lines.append(f"Safety flags: {', '.join(lead.safety_flags) or 'none'}")
    lines.extend(notes_lines(lead))
    return "\n".join(lines)


def notes_lines(lead: LeadView) -> list[str]:
    """The agent's wrap-up and notes, when a call added them."""
    if lead.wrap_up is None:
        return []
    wrap_up = call_notes.settings().label(lead.wrap_up) or lead.wrap_up
    lines = [f"Call wrap-up ({lead.notes_at:%Y-%m-%d %H:%M} UTC): {wrap_up}"]
    if lead.call_notes:
        lines.append("Call notes:")
        lines.extend(f"  {line}" for line in lead.call_notes.splitlines())
    return lines


def payload(lead: LeadView) -> dict[str, Any]:
    """The JSON a CRM or helpdesk receives."""
    contact = lead.contact
    return {
        "event": "referral",
        "reference": lead.reference,
        "status": lead.status,
        "channel": lead.channel,
        "created_at": lead.created_at.isoformat(),
        "contact": {
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "method": contact.method,
            "time": contact.time,
        },
        "topics": lead.topics,
        "screening": lead.screening,
        "outcome": lead.outcome,
        "safety_flags": lead.safety_flags,
        "reply_window_ends_at": (
            (lead.created_at + WHATSAPP_WINDOW).isoformat() if lead.channel == "whatsapp" else None
        ),
        "call_notes": lead.call_notes,
        "wrap_up": lead.wrap_up,
        "summary": summary_text(lead),
    }


def notes_payload(lead: LeadView) -> dict[str, Any]:
    """The JSON a CRM receives when an agent adds notes to a referral already sent."""
    return {
        "event": "call_notes",
        "reference": lead.reference,
        "wrap_up": lead.wrap_up,
        "wrap_up_label": call_notes.settings().label(lead.wrap_up),
        "call_notes": lead.call_notes,
        "notes_at": lead.notes_at.isoformat() if lead.notes_at else None,
        "summary": summary_text(lead),
    }
