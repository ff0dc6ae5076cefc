"""After the Rasa server's own emergency reply: the way back to the screen or to questions.

The emergency and self-harm guidance itself is a domain response chosen by a rule
(data/rules/safety.yml), so it reaches the person even when this action server is down; this
action only adds the follow-up buttons, and bot/rasa_server/action_failure.py replaces it with
utter_after_emergency when it fails.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.screening import answers_of
from bot.core import input_replies
from bot.core.buttons import button
from bot.core.knowledge import knowledge_base
from bot.core.program import phone_text
from bot.core.screening import flow
from bot.startup import env


def follow_up_buttons(answers: Dict[str, Any]) -> List[Dict[str, Any]]:
    """'Continue the screening' only while a screen is unfinished; always 'Ask a question'."""
    buttons: List[Dict[str, Any]] = []
    if flow.is_unfinished(answers):
        buttons.append(button("continue_screening"))
    buttons.append(button("ask_question"))
    return buttons


class ActionEmergencyGuidance(Action):
    def name(self) -> str:
        return "action_emergency_guidance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(
            response="utter_after_emergency", buttons=follow_up_buttons(answers_of(tracker))
        )
        # Pauses a form whose own rule runs this action first (the handoff form's);
        # /check_eligibility resumes a paused screen.
        return [ActiveLoop(None)]


class ActionUnreadableInput(Action):
    """Empty, too long, emoji only, another language, too fast: a clear, kind reply."""

    def name(self) -> str:
        return "action_unreadable_input"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        problem = next(tracker.get_latest_entity_values(input_replies.PROBLEM_ENTITY), "empty")
        program = knowledge_base().program
        max_chars = env.integer("MAX_MESSAGE_CHARS", 2000)  # the Rasa server's limit, shared
        dispatcher.utter_message(text=input_replies.reply(problem, phone_text(program), max_chars))
        return []
