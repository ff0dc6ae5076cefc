"""Symptom descriptions and questions about one's own medicines: information, never advice."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge import SCREENING_BUTTON, SPECIALIST_BUTTON
from bot.action_server import settings
from bot.core import boundaries, routing, symptoms
from bot.core.knowledge import knowledge_base


class ActionSymptomInfo(Action):
    def name(self) -> str:
        return "action_symptom_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        answer = symptoms.reply(tracker.get_latest_entity_values("symptom"))
        source = knowledge_base().refs_line(answer.refs)
        dispatcher.utter_message(
            text=f"{answer.text}\n\n{source}", buttons=[SCREENING_BUTTON, SPECIALIST_BUTTON]
        )
        return []


class ActionMedicalBoundary(Action):
    def name(self) -> str:
        return "action_medical_boundary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        kb = knowledge_base()
        message: Dict[str, Any] = tracker.latest_message or {}
        selected, _ = routing.selected_topic(
            message, set(kb.topics), settings.min_topic_confidence()
        )
        result = boundaries.boundary(
            message.get("text") or "", list(tracker.get_latest_entity_values("medicine")), selected
        )
        text = result.text
        if result.general_topic in kb.topics:
            answer = kb.answer(result.general_topic, tracker.get_latest_input_channel())
            intro = boundaries.rules()["general_intro"]
            text += f"\n\n{intro} {answer.text}\n\n{answer.source_line}"
        dispatcher.utter_message(text=text, buttons=[SPECIALIST_BUTTON])
        return []
