"""A Rasa graph component that marks emergencies, whatever the classifiers predicted.

It runs last in the NLU pipeline: when bot.safety finds a red flag that is not a general
question about it, the intent becomes `emergency` (confidence 1.0), so the emergency rules fire
before anything else, forms included. The action asks bot.safety again for the category.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot import safety
from bot.nlu.override import RuleIntentOverride


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RedFlagDetector(RuleIntentOverride):
    intent = "emergency"
    rules_file = safety.RED_FLAGS_FILE

    def matches(self, text: str) -> bool:
        flag = safety.detect(text)
        return flag is not None and flag.is_emergency
