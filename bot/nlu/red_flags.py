"""A Rasa graph component that marks emergencies, whatever the classifiers predicted.

It runs last in the NLU pipeline: when bot.safety finds a red flag that is not a general
question about it, the intent becomes `emergency` (confidence 1.0), so the emergency rules fire
before anything else, forms included. The action asks bot.safety again for the category.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
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

from bot import safety

EMERGENCY_INTENT = "emergency"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagDetector(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return safety.RED_FLAGS_FILE.read_text(encoding="utf-8")

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagDetector:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            flag = safety.detect(text)
            if flag is None or not flag.is_emergency:
                continue
            emergency = {INTENT_NAME_KEY: EMERGENCY_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [emergency] + [
                ranked
                for ranked in message.get(INTENT_RANKING_KEY) or []
                if ranked.get(INTENT_NAME_KEY) != EMERGENCY_INTENT
            ]
            message.set(INTENT, emergency, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
