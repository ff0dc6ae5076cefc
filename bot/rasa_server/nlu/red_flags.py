"""A Rasa graph component that marks emergencies, whatever the classifiers predicted.

It runs last in the NLU pipeline. When bot.core.safety finds an emergency, the intent becomes
`emergency` (or `emergency_self_harm`, confidence 1.0), so the emergency rules fire before
anything else, forms included, and their replies are domain responses that need no action
server. Every finding, caution and questions about red flags included, is also put into the
parse data as `red_flag` ({level, category, self_harm}): the Rasa server says the caution net
first on a caution, and the agent console flags the call from it.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core import safety
from bot.rasa_server.nlu.override import RuleIntentOverride, override_intent

RED_FLAG_KEY = "red_flag"
SELF_HARM_INTENT = "emergency_self_harm"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagDetector(RuleIntentOverride):
    intent = "emergency"
    rules_file = safety.RED_FLAGS_FILE

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        examples = safety.EXAMPLES_FILE.read_text(encoding="utf-8")
        return cls.rules_file.read_text(encoding="utf-8") + examples

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RedFlagDetector:
        safety.warm_up()  # the rules, lemmas and classifier, before the first person writes
        return cls()

    def matches(self, text: str) -> bool:
        flag = safety.detect(text)
        return flag is not None and flag.is_emergency

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            flag = safety.detect(text)
            if flag is None:
                continue
            message.set(RED_FLAG_KEY, flag.as_dict(), add_to_output=True)
            if flag.is_emergency:
                override_intent(message, SELF_HARM_INTENT if flag.is_self_harm else self.intent)
        return messages
