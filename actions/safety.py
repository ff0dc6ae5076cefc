"""Emergency guidance first, at any moment; the screen can continue afterwards."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.screening import answers_of
from bot import input_policy, safety
from bot.knowledge import knowledge_base
from bot.program import phone_text
from bot.screening import flow


def red_flag_category(tracker: Tracker) -> str | None:
    flag = safety.detect((tracker.latest_message or {}).get("text") or "")
    return flag.category if flag else None


class ActionEmergencyGuidance(Action):
    def name(self) -> str:
        return "action_emergency_guidance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if red_flag_category(tracker) == safety.SELF_HARM:
            dispatcher.utter_message(response="utter_emergency_self_harm")
        else:
            dispatcher.utter_message(response="utter_emergency")
        buttons: List[Dict[str, Any]] = []
        if flow.is_unfinished(answers_of(tracker)):
            buttons.append({"title": "Continue the screening", "payload": "/check_eligibility"})
        buttons.append({"title": "Ask a question", "payload": "/help"})
        dispatcher.utter_message(response="utter_after_emergency", buttons=buttons)
        return [ActiveLoop(None)]  # pauses a screen; /check_eligibility resumes it


class ActionUnreadableInput(Action):
    """Empty, too long, emoji only, another language, too fast: a clear, kind reply."""

    def name(self) -> str:
        return "action_unreadable_input"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        problem = next(tracker.get_latest_entity_values(input_policy.PROBLEM_ENTITY), "empty")
        program = knowledge_base().program
        dispatcher.utter_message(text=input_policy.reply(problem, phone_text(program)))
        return []
