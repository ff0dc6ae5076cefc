"""The handoff summary a specialist reads: what was asked, the screen, safety, how to reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.action_server.leads.store import LeadView
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
    return "\n".join(lines)


def payload(lead: LeadView) -> dict[str, Any]:
    """The JSON a CRM or helpdesk receives."""
    contact = lead.contact
    return {
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
        "summary": summary_text(lead),
    }
