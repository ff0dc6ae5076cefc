"""Deterministic components that replace the predicted intent when their rule matches.

Safety must not depend on classifier confidence: an emergency or a question about changing
one's own medicine is recognised by rules kept as data, and wins over the classifiers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message


def override_intent(message: Message, name: str) -> None:
    """Sets `name` as the intent with confidence 1.0, first in the ranking."""
    chosen = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [chosen] + [
        ranked
        for ranked in message.get(INTENT_RANKING_KEY) or []
        if ranked.get(INTENT_NAME_KEY) != name
    ]
    message.set(INTENT, chosen, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


class RuleIntentOverride(GraphComponent):
    """Sets `intent` on every message `matches`; button payloads ("/intent") are left alone."""

    intent: ClassVar[str]
    rules_file: ClassVar[Path]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return cls.rules_file.read_text(encoding="utf-8")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RuleIntentOverride:
        return cls()

    def matches(self, text: str) -> bool:
        raise NotImplementedError

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.startswith("/") and self.matches(text):
                override_intent(message, self.intent)
        return messages
