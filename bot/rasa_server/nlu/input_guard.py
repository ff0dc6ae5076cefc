"""A Rasa graph component that sends messages without one recognisable word to the fallback.

Runs after the classifiers: when a message is letters but no known word ("blorp zzkk"), it
replaces the predicted intent with `nlu_fallback`, so the bot asks for rephrasing instead of
answering a guess. The training data's vocabulary is stored in the model, so a moved model keeps
recognising the same words.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import lexicon, vocabulary
from bot.rasa_server.nlu.override import override_intent

VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnrecognizedInputGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return lexicon.fingerprint()

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        domain_words: frozenset[str] = frozenset(),
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._domain_words = domain_words

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnrecognizedInputGuard:
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnrecognizedInputGuard:
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / VOCABULARY_FILE).read_text())
        except ValueError:
            words = []
        return cls(model_storage, resource, frozenset(words))

    def train(self, training_data: TrainingData) -> Resource:
        texts = [example.get(TEXT) or "" for example in training_data.training_examples]
        texts += lexicon.all_phrases()
        self._domain_words = vocabulary.domain_words(texts)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(sorted(self._domain_words)))
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or not vocabulary.is_unrecognizable(text, self._domain_words):
                continue
            override_intent(message, DEFAULT_NLU_FALLBACK_INTENT_NAME)
        return messages
