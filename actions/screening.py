"""The IVIG screening form's Rasa adapters: validation, questions, explanations and outcome.

All decisions live in bot.core.screening.flow and bot.core.eligibility; these classes turn them
into slot
events and messages. Validation is free of side effects (Rasa 3.6 may call it twice for one
message, RasaHQ/rasa#11595): a failed try is recorded with the message id, so a repeat call
does not count it twice.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ActiveLoop,
    EventType,
    FollowupAction,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.core import eligibility
from bot.core.screening import flow

FORM = "ivig_screening_form"
FAILURES_SLOT = "screening_failures"
OUTCOME_SLOT = "screening_outcome"
PAUSED_SLOT = "screening_paused"


def answers_of(tracker: Tracker) -> Dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in flow.SCREENING_SLOTS}


def cleared_answers() -> List[EventType]:
    return [SlotSet(slot, None) for slot in flow.SCREENING_SLOTS]


def stated_answers(tracker: Tracker) -> Dict[str, Any]:
    """What the message that asked for the screening already said ("my dad is 67, has
    polymyositis, lives in Nevada"), read by the NLU with the screening's parsers: those
    questions are not asked again, and the summary shows them for confirmation."""
    plan = (tracker.latest_message or {}).get("understanding") or {}
    facts = plan.get("facts") or {}
    return {slot: value for slot, value in facts.items() if slot in flow.SCREENING_SLOTS}


def _message_id(tracker: Tracker) -> str:
    message = tracker.latest_message or {}
    return str(message.get("message_id") or message.get("text") or "")


def is_fresh_message(tracker: Tracker) -> bool:
    """True while the latest user message has not been handled by another action yet.

    When the form resumes after an interruption (a FAQ answer, "why do you ask?"), the latest
    message is the interruption itself and must not be read as an answer.
    """
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        if event.get("event") == "action":
            name = event.get("name")
            if name not in {"action_listen", "action_extract_slots", FORM, None}:
                return False
    return True


class ValidateIvigScreeningForm(FormValidationAction):
    def name(self) -> str:
        return f"validate_{FORM}"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        return flow.required_slots(answers_of(tracker))

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        requested = tracker.get_slot("requested_slot")
        if not requested or not is_fresh_message(tracker):
            return []
        message = tracker.latest_message or {}
        answers = answers_of(tracker)
        result = flow.interpret(
            requested,
            message.get("text") or "",
            answers,
            intent=(message.get("intent") or {}).get("name"),
            entities=message.get("entities") or [],
        )
        if result.interruption:
            return []  # the form rejects, and the rules for that intent take over
        if result.problem:
            return [SlotSet(FAILURES_SLOT, self._failure(tracker, requested, result.problem))]
        updated = {**answers, **result.values}
        events = [SlotSet(slot, value) for slot, value in result.values.items()]
        events += [SlotSet(s, None) for s in flow.stale_answers(updated)]
        corrected = [
            flow.question(slot).label
            for slot, value in result.values.items()
            if slot != requested and value is not None and answers.get(slot) is not None
        ]
        if corrected:
            dispatcher.utter_message(
                response="utter_answer_updated", fields=" and ".join(corrected)
            )
        if isinstance(result.values.get("weight_kg"), (int, float)):
            # What the weight is for, never an amount worked out from it.
            dispatcher.utter_message(text=eligibility.after_weight_text())
        return [*events, SlotSet(FAILURES_SLOT, None)]

    @staticmethod
    def _failure(tracker: Tracker, slot: str, problem: str) -> Dict[str, Any]:
        previous = tracker.get_slot(FAILURES_SLOT) or {}
        message_id = _message_id(tracker)
        count = previous.get("count", 0) if previous.get("slot") == slot else 0
        if previous.get("message_id") != message_id or previous.get("slot") != slot:
            count += 1
        return {"slot": slot, "count": count, "message_id": message_id, "problem": problem}

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        # Extraction already validated every value it read, so every slot it set is kept
        # (the default would drop slots outside required_slots, such as the failure record).
        return [SlotSet(slot, value) for slot, value in tracker.slots_to_validate().items()]


class ActionAskScreeningQuestion(Action):
    """Asks a screening question, or re-asks it with the reason the last answer did not work."""

    slot = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        failure = tracker.get_slot(FAILURES_SLOT) or {}
        if failure.get("slot") == self.slot and failure.get("message_id") == _message_id(tracker):
            question = flow.question(self.slot)
            if failure.get("count", 0) >= flow.max_failed_tries():
                dispatcher.utter_message(
                    response="utter_screening_stuck", problem=failure["problem"]
                )
                return []
            dispatcher.utter_message(
                response="utter_screening_reask",
                problem=failure["problem"],
                reprompt=question.reprompt,
                buttons=_response_buttons(domain, f"utter_ask_{self.slot}"),
            )
            return []
        dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


def _response_buttons(domain: DomainDict, response: str) -> List[Dict[str, str]]:
    variants = domain.get("responses", {}).get(response) or [{}]
    return list(variants[0].get("buttons") or [])


# One ask action per question: the form calls action_ask_<slot> when it exists.
ASK_ACTIONS = {
    slot: type(f"ActionAsk_{slot}", (ActionAskScreeningQuestion,), {"slot": slot})
    for slot in flow.SCREENING_SLOTS
    if slot != "screening_confirmed"
}


class ActionAskScreeningConfirmed(Action):
    """The summary before the outcome, with a way to change an answer."""

    def name(self) -> str:
        return "action_ask_screening_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        answers = answers_of(tracker)
        dispatcher.utter_message(
            response="utter_ask_screening_confirmed",
            summary="\n".join(flow.summary_lines(answers)),
            summary_short="\n".join(flow.short_summary_lines(answers)),  # the SMS variant's
        )
        return []


class ActionExplainQuestion(Action):
    """Answers "why do you ask?" for the open question; the form then asks it again."""

    def name(self) -> str:
        return "action_explain_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        slot = tracker.get_slot("requested_slot")
        if slot in flow.SCREENING_SLOTS:
            dispatcher.utter_message(text=flow.question(slot).why)
        else:
            dispatcher.utter_message(response="utter_why_screening")
        return []


class ActionResetScreening(Action):
    """ "Start over": clears every answer; the form then starts from the first question."""

    def name(self) -> str:
        return "action_reset_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_screening_restarted")
        return [*cleared_answers(), SlotSet(FAILURES_SLOT, None), SlotSet("requested_slot", None)]


class ActionStartScreening(Action):
    """Starts a fresh screen after a finished one; an unfinished one picks up where it was."""

    def name(self) -> str:
        return "action_start_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        stated = stated_answers(tracker)
        if flow.is_unfinished(answers_of(tracker)):
            answers = answers_of(tracker)
            return [
                SlotSet(slot, value) for slot, value in stated.items() if answers.get(slot) is None
            ]
        fresh = [*cleared_answers(), SlotSet(OUTCOME_SLOT, None), SlotSet("requested_slot", None)]
        return fresh + [SlotSet(slot, value) for slot, value in stated.items()]


class ActionAnswerAfterEmergency(Action):
    """After emergency guidance in the middle of the screening, a plain answer to the question
    that was open ("dermatomyositis") is taken and the screening goes on; a question, or an
    answer that does not read as one, is answered from the content as before."""

    def name(self) -> str:
        return "action_answer_after_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        answers = answers_of(tracker)
        # The pause cleared requested_slot: the open question is the first unanswered one.
        requested = flow.next_slot(answers) if flow.is_unfinished(answers) else None
        message = tracker.latest_message or {}
        if requested and requested != "screening_confirmed":
            result = flow.interpret(
                requested, message.get("text") or "", answers,
                (message.get("intent") or {}).get("name"), message.get("entities") or [],
            )  # fmt: skip
            if result.values and not result.interruption:
                return [
                    *(SlotSet(slot, value) for slot, value in result.values.items()),
                    SlotSet(PAUSED_SLOT, None),
                    FollowupAction("ivig_screening_form"),
                ]
        return [FollowupAction("action_answer_faq")]


class ActionPauseScreening(Action):
    """ "Stop": pauses the form and asks to confirm; answers are kept until confirmed."""

    def name(self) -> str:
        return "action_pause_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_confirm_stop_screening")
        return [ActiveLoop(None), SlotSet(PAUSED_SLOT, True)]


class ActionStopScreening(Action):
    def name(self) -> str:
        return "action_stop_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_screening_stopped")
        return [*cleared_answers(), SlotSet(PAUSED_SLOT, None), SlotSet("requested_slot", None)]


class ActionResumeScreening(Action):
    def name(self) -> str:
        return "action_resume_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_screening_carry_on")
        return [SlotSet(PAUSED_SLOT, None)]


def outcome_messages(answers: Dict[str, Any]) -> tuple[List[Dict[str, Any]], List[str]]:
    """The outcome messages to send (each the keyword arguments of one utter_message: a domain
    response with its values, or a text of the rules file) and the outcome ids to store."""
    results = eligibility.outcomes(answers)
    messages: List[Dict[str, Any]] = [
        dict(
            response="utter_screening_outcome",
            title=outcome.title,
            explanation=outcome.text,
            reasons="\n".join(f"- {reason}" for reason in outcome.reasons),
        )
        for outcome in results
    ]
    if not results:
        messages.append(dict(response="utter_screening_no_outcome"))
    if isinstance(answers.get("weight_kg"), (int, float)):
        # The article's per-kg rates, no personal amount: a text of the rules file.
        messages.append(
            dict(
                response="utter_dose_note",
                dose=eligibility.dose_text(),
                dose_short=eligibility.dose_text(short=True),  # the SMS variant's
            )
        )
    note = eligibility.financial_note(answers.get("insurance"))
    if note and answers.get("insurance") != flow.SKIPPED:
        messages.append(dict(response="utter_cost_note", note=note))
    return messages, [outcome.id for outcome in results]


class ActionScreeningOutcome(Action):
    def name(self) -> str:
        return "action_screening_outcome"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        messages, ids = outcome_messages(answers_of(tracker))
        for message in messages:
            dispatcher.utter_message(**message)
        dispatcher.utter_message(response="utter_offer_specialist")
        return [SlotSet(OUTCOME_SLOT, ids)]


class ActionSessionStart(Action):
    """A new session keeps the screening answers and offers to pick up where the user left off."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        carried = [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name not in {"requested_slot", PAUSED_SLOT, FAILURES_SLOT}
        ]
        events: List[EventType] = [SessionStarted(), *carried]
        answers = answers_of(tracker)
        if flow.is_unfinished(answers) and not tracker.get_slot(OUTCOME_SLOT):
            dispatcher.utter_message(response="utter_welcome_back_screening")
        events.append(ActionExecuted("action_listen"))
        return events
