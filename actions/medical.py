"""Symptom descriptions and questions about one's own medicines: information, never advice."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import understanding
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
        dispatcher.utter_message(response="utter_symptom_info", answer=answer.text, source=source)
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
        if result.general_topic not in kb.topics:
            dispatcher.utter_message(response="utter_medical_boundary", boundary=result.text)
        else:
            answer = kb.answer(result.general_topic, tracker.get_latest_input_channel())
            dispatcher.utter_message(
                response="utter_medical_boundary_with_answer",
                boundary=result.text,
                intro=boundaries.rules()["general_intro"],
                answer=answer.text,
                source=answer.source_line,
            )
        if not understanding.answers_whole_message(tracker):
            return []
        # "What causes myositis? And should he stop the statin?": the other questions too.
        return understanding.answer_topics(dispatcher, tracker, [], said={result.general_topic})
