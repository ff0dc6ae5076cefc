"""A Rasa graph component that routes questions about one's own medicines to the boundary.

"Should I stop my prednisone?" must never reach an FAQ answer that could read as advice, so a
deterministic pattern check (data/safety/boundaries.yml) sets `medication_advice` whatever the
classifier predicted. Emergencies, checked after this component, still win.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe

from bot.core import boundaries
from bot.rasa_server.nlu.override import RuleIntentOverride


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class MedicationBoundaryDetector(RuleIntentOverride):
    intent = "medication_advice"
    rules_file = boundaries.BOUNDARIES_FILE

    def matches(self, text: str) -> bool:
        return boundaries.is_personal_medication_question(text)
