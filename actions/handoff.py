"""The specialist handoff: consent first, contact capture, one stored lead, erasure on request.

Thin adapters over bot.leads: validation reads answers with bot.leads.contact, the lead is
stored by bot.leads.store (idempotent: a retried action yields the same lead), and the outbox
worker delivers the signed notification.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from actions.screening import OUTCOME_SLOT, answers_of
from bot import retention
from bot.hours import contact_expectation
from bot.knowledge import knowledge_base
from bot.leads import contact, service
from bot.leads.store import Contact, NewLead
from bot.program import hours_text, phone_text
from bot.screening.parsing import parse_yes_no

logger = logging.getLogger(__name__)
FORM = "handoff_form"
SMS_CHANNELS = {"twilio", "whatsapp"}
CONSENT_AT_SLOT = "handoff_consent_at"
TOPICS_SLOT = "topics_asked"
LEAD_REFERENCE_SLOT = "lead_reference"
CONTACT_SLOTS = ("contact_name", "contact_method", "contact_phone", "contact_email", "contact_time")
READERS = {
    "contact_name": contact.parse_name,
    "contact_method": contact.parse_method,
    "contact_phone": contact.parse_phone,
    "contact_email": contact.parse_email,
    "contact_time": contact.parse_time,
}
EXAMPLES = {
    "contact_phone": "Please type it like 415-555-0123.",
    "contact_email": "Please type it like name@example.com.",
}
SAFETY_FLAGS = {
    ("iga_status", "deficient"): "iga_deficiency",
    ("iga_status", "not_tested"): "iga_not_tested",
    ("severe_reaction", "yes"): "earlier_severe_reaction",
    ("severe_reaction", "not_sure"): "earlier_severe_reaction_unsure",
}


def required_contact_slots(method: str | None) -> List[str]:
    slots = ["contact_name", "contact_method"]
    if method in {"call", "text"}:
        slots.append("contact_phone")
    elif method == "email":
        slots.append("contact_email")
    return [*slots, "contact_time"]


def sender_phone(tracker: Tracker) -> str | None:
    """On SMS and WhatsApp the sender's own number, in E.164; elsewhere None."""
    if tracker.get_latest_input_channel() not in SMS_CHANNELS:
        return None
    reading = contact.parse_phone(tracker.sender_id.removeprefix("whatsapp:"))
    return reading.value if reading.found else None


class ActionAskContactPhone(Action):
    """On SMS and WhatsApp, offers the number the person is texting from instead of asking."""

    def name(self) -> str:
        return "action_ask_contact_phone"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        own = sender_phone(tracker)
        if own:
            dispatcher.utter_message(
                text=f"Should we use the number you're texting from, ending in {own[-4:]}? "
                "Reply yes, or type another number.",
            )
        else:
            dispatcher.utter_message(response="utter_ask_contact_phone")
        return []


class ActionRecordConsent(Action):
    def name(self) -> str:
        return "action_record_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        moment = datetime.now(timezone.utc).isoformat()
        return [SlotSet(CONSENT_AT_SLOT, moment), *[SlotSet(s, None) for s in CONTACT_SLOTS]]


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        return required_contact_slots(tracker.get_slot("contact_method"))

    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher) -> Dict[str, Any]:
        reading = READERS[slot](str(value or ""))
        if reading.found:
            return {slot: reading.value}
        dispatcher.utter_message(text=f"{reading.problem} {EXAMPLES.get(slot, '')}".strip())
        return {slot: None}

    def validate_contact_name(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate("contact_name", value, dispatcher)

    def validate_contact_method(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate("contact_method", value, dispatcher)

    def validate_contact_phone(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        own = sender_phone(tracker)
        if own and parse_yes_no(str(value or "")).value == "yes":
            return {"contact_phone": own}
        return self._validate("contact_phone", value, dispatcher)

    def validate_contact_email(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate("contact_email", value, dispatcher)

    def validate_contact_time(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate("contact_time", value, dispatcher)


def safety_flags(answers: Dict[str, Any]) -> List[str]:
    return [flag for (slot, value), flag in SAFETY_FLAGS.items() if answers.get(slot) == value]


class ActionCreateLead(Action):
    def name(self) -> str:
        return "action_create_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        answers = {k: v for k, v in answers_of(tracker).items() if v is not None}
        consent_at = tracker.get_slot(CONSENT_AT_SLOT) or datetime.now(timezone.utc).isoformat()
        details = Contact(
            name=tracker.get_slot("contact_name"),
            phone=tracker.get_slot("contact_phone"),
            email=tracker.get_slot("contact_email"),
            method=tracker.get_slot("contact_method"),
            time=tracker.get_slot("contact_time"),
        )
        lead, _ = service.store().create(
            NewLead(
                idempotency_key=f"{tracker.sender_id}:{consent_at}",
                conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "unknown",
                contact=details,
                consent_at=datetime.fromisoformat(consent_at),
                topics=tracker.get_slot(TOPICS_SLOT) or [],
                screening=answers,
                outcome=tracker.get_slot(OUTCOME_SLOT) or [],
                safety_flags=safety_flags(answers),
            )
        )
        service.worker().wake()
        program = knowledge_base().program
        how = {"call": "call", "text": "text", "email": "email"}.get(details.method or "", "reach")
        dispatcher.utter_message(
            text=(
                f"Thank you. A specialist from our IVIG team will {how} you "
                f"{contact_expectation(program)}. Your reference is {lead.reference}. If you "
                'want us to delete your details, just say "delete my information".'
            )
        )
        # The details now live encrypted in the lead; the conversation no longer needs them.
        return [SlotSet(slot, None) for slot in CONTACT_SLOTS] + [
            SlotSet(LEAD_REFERENCE_SLOT, lead.reference)
        ]


class ActionHandoffDeclined(Action):
    """A "no" to consent stores nothing personal and says how to reach the team directly."""

    def name(self) -> str:
        return "action_handoff_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        program = knowledge_base().program
        dispatcher.utter_message(
            text=(
                "No problem, I haven't stored anything. You can reach our IVIG team at "
                f"{phone_text(program)}. Hours: {hours_text(program)}."
            )
        )
        return [SlotSet(CONSENT_AT_SLOT, None)]


class ActionEraseMyData(Action):
    def name(self) -> str:
        return "action_erase_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        erased = service.store().erase_conversation(tracker.sender_id)
        try:
            retention.erase_transcript(create_engine(retention.tracker_url()), tracker.sender_id)
        except SQLAlchemyError:  # another tracker store: its retention period applies
            logger.warning("Could not erase the conversation's transcript")
        what = "your referral" if erased else "no stored referral"
        dispatcher.utter_message(
            text=f"Done. I deleted {what}, and your messages and contact details in this "
            "conversation."
        )
        return [
            SlotSet(slot, None) for slot in (*CONTACT_SLOTS, CONSENT_AT_SLOT, LEAD_REFERENCE_SLOT)
        ]
