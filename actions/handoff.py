"""The specialist handoff: consent first, contact capture, one stored lead, erasure on request.

Thin adapters over bot.action_server.leads: validation reads answers with
bot.action_server.leads.contact, the lead is
stored by bot.action_server.leads.store (idempotent: a retried action yields the same lead), and
the outbox
worker delivers the signed notification.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.screening import OUTCOME_SLOT, answers_of
from bot.action_server.leads import contact, intake, reply_to, service
from bot.action_server.leads.store import NewLead
from bot.core import call_notes, eligibility
from bot.core.erasure import REWRITE_SLOT, erase_request, forget_contact_request
from bot.core.hours import contact_expectation
from bot.core.knowledge import knowledge_base
from bot.core.program import hours_text, phone_text
from bot.core.screening import flow
from bot.core.screening.parsing import parse_yes_no

logger = logging.getLogger(__name__)
FORM = "handoff_form"
SMS_CHANNELS = {"twilio", "whatsapp"}
CONSENT_AT_SLOT = "handoff_consent_at"
TOPICS_SLOT = "topics_asked"
LEAD_REFERENCE_SLOT = "lead_reference"
WRAP_UP_SLOT = "call_wrap_up"
CONTACT_SLOTS = ("contact_name", "contact_method", "contact_phone", "contact_email", "contact_time")
READERS = {
    "contact_name": contact.parse_name,
    "contact_method": contact.parse_method,
    "contact_phone": contact.parse_phone,
    "contact_email": contact.parse_email,
    "contact_time": contact.parse_time,
}


def required_contact_slots(method: str | None) -> List[str]:
    slots = ["contact_name", "contact_method"]
    if method in {"call", "text"}:
        slots.append("contact_phone")
    elif method == "email":
        slots.append("contact_email")
    return [*slots, "contact_time"]


def sender_phone(tracker: Tracker) -> str | None:
    """On SMS and WhatsApp the sender's own number, in E.164; elsewhere None.

    The conversation id is a keyed hash, not the number; the Twilio channel sends the number
    with each message sealed for this server's key, as `reply_to` metadata."""
    if tracker.get_latest_input_channel() not in SMS_CHANNELS:
        return None
    sealed = ((tracker.latest_message or {}).get("metadata") or {}).get("reply_to")
    number = reply_to.open_sealed(sealed) if isinstance(sealed, str) else None
    if not number:
        return None
    reading = contact.parse_phone(number.removeprefix("whatsapp:"))
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
            dispatcher.utter_message(response="utter_offer_own_number", last_digits=own[-4:])
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

    def _validate(
        self,
        slot: str,
        value: Any,
        dispatcher: CollectingDispatcher,
        response: str,
    ) -> Dict[str, Any]:
        """The answer read, or the reader's problem said with the response for that detail."""
        reading = READERS[slot](str(value or ""))
        if reading.found:
            return {slot: reading.value}
        dispatcher.utter_message(response=response, problem=reading.problem)
        return {slot: None}

    def validate_contact_name(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate("contact_name", value, dispatcher, response="utter_contact_not_read")

    def validate_contact_method(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate(
            "contact_method", value, dispatcher, response="utter_contact_not_read"
        )

    def validate_contact_phone(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        own = sender_phone(tracker)
        if own and parse_yes_no(str(value or "")).value == "yes":
            return {"contact_phone": own}
        return self._validate(
            "contact_phone", value, dispatcher, response="utter_contact_phone_not_read"
        )

    def validate_contact_email(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate(
            "contact_email", value, dispatcher, response="utter_contact_email_not_read"
        )

    def validate_contact_time(self, value: Any, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._validate("contact_time", value, dispatcher, response="utter_contact_not_read")


class ActionCreateLead(Action):
    def name(self) -> str:
        return "action_create_lead"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # Every stored value is read again: the tracker comes from the caller
        # (bot/action_server/leads/intake).
        answers = intake.checked_answers(answers_of(tracker), flow.SCREENING_SLOTS)
        consent_at = intake.checked_moment(tracker.get_slot(CONSENT_AT_SLOT))
        details = intake.checked_contact(
            *(tracker.get_slot(s) for s in ("contact_name", "contact_method", "contact_phone",
                                            "contact_email", "contact_time"))
        )  # fmt: skip
        if details.name is None or (details.phone is None and details.email is None):
            dispatcher.utter_message(response="utter_handoff_details_missing")
            return [SlotSet(slot, None) for slot in CONTACT_SLOTS]
        try:
            lead, _ = service.store().create(
                NewLead(
                    idempotency_key=f"{tracker.sender_id}:{consent_at.isoformat()}",
                    conversation_id=tracker.sender_id,
                    channel=intake.checked_channel(tracker.get_latest_input_channel()),
                    contact=details,
                    consent_at=consent_at,
                    topics=intake.checked_labels(tracker.get_slot(TOPICS_SLOT)),
                    screening=answers,
                    outcome=intake.checked_labels(tracker.get_slot(OUTCOME_SLOT)),
                    safety_flags=eligibility.safety_flags(answers),
                )
            )
        except (SQLAlchemyError, OSError) as error:
            # The person has just given a phone number: they hear it, get the phone and hours,
            # and what they typed stays in the conversation for "Try again".
            logger.error("Storing a lead failed (%s); the contact details are kept to retry",
                         type(error).__name__)  # fmt: skip
            program = knowledge_base().program
            dispatcher.utter_message(
                response="utter_lead_store_failed",
                phone=phone_text(program),
                hours=hours_text(program),
            )
            return []
        service.worker().wake()
        program = knowledge_base().program
        how = {"call": "call", "text": "text", "email": "email"}.get(details.method or "", "reach")
        dispatcher.utter_message(
            response="utter_lead_stored",
            how=how,
            when=contact_expectation(program),
            reference=lead.reference,
        )
        # The details now live encrypted in the lead; the conversation no longer needs them:
        # the Rasa server blanks the typed answers in its tracker store (bot/core/erasure.py).
        return [SlotSet(slot, None) for slot in CONTACT_SLOTS] + [
            SlotSet(LEAD_REFERENCE_SLOT, lead.reference),
            SlotSet(REWRITE_SLOT, forget_contact_request()),
        ]


def utter_with_team_contact(dispatcher: CollectingDispatcher, *, response: str) -> None:
    """A response that names the team's phone and hours, filled from the program."""
    program = knowledge_base().program
    dispatcher.utter_message(
        response=response, phone=phone_text(program), hours=hours_text(program)
    )


class ActionHowToReach(Action):
    """A yes to "would you like to know how to reach one?": the phone and hours first, then
    the offer to have a specialist contact them; nothing personal is asked before that yes."""

    def name(self) -> str:
        return "action_how_to_reach"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter_with_team_contact(dispatcher, response="utter_how_to_reach")
        return []


class ActionHandoffDeclined(Action):
    """A "no" to consent stores nothing personal and says how to reach the team directly."""

    def name(self) -> str:
        return "action_handoff_declined"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        utter_with_team_contact(dispatcher, response="utter_handoff_declined")
        return [SlotSet(CONSENT_AT_SLOT, None)]


class ActionSaveCallNotes(Action):
    """An agent's notes and wrap-up, stored with the call's referral and sent to the team.

    Only the agent channel sends them (in the message's metadata, set by the Rasa server's
    agent channel); anywhere else the message is not understood. The notes go into the lead
    encrypted, and the conversation's copy of them is blanked (the same rewrite that forgets
    typed contact details), so the tracker never keeps them. Saving again replaces them."""

    def name(self) -> str:
        return "action_save_call_notes"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.get_latest_input_channel() != call_notes.AGENT_CHANNEL:
            dispatcher.utter_message(response="utter_default")
            return []
        forget = [SlotSet(REWRITE_SLOT, forget_contact_request())]
        metadata = (tracker.latest_message or {}).get("metadata") or {}
        notes = call_notes.checked(metadata.get(call_notes.METADATA_KEY))
        if notes is None:
            dispatcher.utter_message(
                response="utter_call_notes_not_read", max_chars=call_notes.settings().max_chars
            )
            return forget
        reference = tracker.get_slot(LEAD_REFERENCE_SLOT)
        if not isinstance(reference, str) or not reference:
            dispatcher.utter_message(response="utter_call_notes_no_referral")
            return forget
        try:
            lead = service.store().save_call_notes(
                reference, tracker.sender_id, notes.notes, notes.wrap_up
            )
        except (SQLAlchemyError, OSError) as error:
            logger.error("Storing call notes failed (%s)", type(error).__name__)
            dispatcher.utter_message(response="utter_call_notes_failed")
            return forget
        if lead is None:
            dispatcher.utter_message(response="utter_call_notes_no_referral")
            return forget
        service.worker().wake()
        dispatcher.utter_message(
            response="utter_call_notes_saved",
            reference=lead.reference,
            wrap_up=call_notes.settings().label(notes.wrap_up),
        )
        return [SlotSet(WRAP_UP_SLOT, notes.wrap_up), *forget]


class ActionEraseMyData(Action):
    """Deletes the conversation's referral, and blanks its messages, answers and replies.

    Running it twice is harmless (Rasa may retry an action): a second run finds nothing more."""

    def name(self) -> str:
        return "action_erase_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        references = service.store().erase(tracker.sender_id)
        # The transcript is the Rasa server's: it blanks its own rows and says what it did
        # (bot/rasa_server/rewrites.py). The live conversation forgets every answer too.
        return [SlotSet(REWRITE_SLOT, erase_request(references)), AllSlotsReset()]
