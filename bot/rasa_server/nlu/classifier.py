"""The NLU graph's intent classifier and FAQ topic selector, in one fast model.

DIET and a ResponseSelector were two TensorFlow models, and with their featurizers about a third
of a FAQ turn in the Rasa server (README, "Speed"). The sentence classifier of
bot.core.understanding.topics reads a message in well under a millisecond and was as accurate on
the held-out set (README, "NLU pipeline"), so it does both jobs: it sets `intent` and
`intent_ranking` as an intent classifier does, and the `faq` entry of `response_selector` as a
ResponseSelector does, so Rasa's FallbackClassifier, `rasa test` and the actions read it
unchanged.
"""

from __future__ import annotations

import hashlib
import inspect
import pickle
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import ngram_model
from bot.core.knowledge import ANSWERS_FILE
from bot.core.understanding import plan as planning
from bot.core.understanding import topics, training
from bot.core.understanding.topics import TopicClassifier, message_reading
from bot.core.yamlio import load_yaml

MODEL_FILE = "classifier.pkl"
RETRIEVAL_INTENT = "faq"
# Enough for the fallback's ambiguity check and the reports (DIET reported 10): every user event
# keeps its rankings, and the action server is sent the whole session's events at each action.
RANKING_LENGTH = 5


def training_examples(training_data: TrainingData) -> tuple[list[str], list[str]]:
    """The NLU examples (FAQ ones labelled `faq/<topic>`) and the curated answers' sentences:
    the same examples the reply planner's copy of the classifier is fitted on."""
    texts, labels = [], []
    for example in training_data.intent_examples:
        label = example.get(INTENT_RESPONSE_KEY) or example.get(INTENT)
        if example.get(TEXT) and label:
            texts.append(example.get(TEXT))
            labels.append(label)
    for sentence, label in training.answer_sentences():
        texts.append(sentence)
        labels.append(label)
    return texts, labels


def stored_model_fingerprint() -> str:
    """What a stored classifier depends on besides the NLU data Rasa already fingerprints.

    The curated answers are training examples too, and the pickle holds instances of the core's
    classes: Rasa's training cache keys on config and data, not on code, so without the modules'
    source here a changed class would be loaded from an old pickle and fail on the first message.
    """
    digest = hashlib.sha256(ANSWERS_FILE.read_bytes() + planning.CUES_FILE.read_bytes())
    for module in (topics, ngram_model):
        digest.update(inspect.getsource(module).encode("utf-8"))
    return digest.hexdigest()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SentenceIntentClassifier(GraphComponent, IntentClassifier):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return stored_model_fingerprint()

    @classmethod
    def required_packages(cls) -> List[str]:
        return ["sklearn"]

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        classifier: TopicClassifier | None = None,
        cues: planning.Cues = planning.NO_CUES,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier
        self._cues = cues  # texting shorthand, spelled out as the sentence reader does

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceIntentClassifier:
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceIntentClassifier:
        with model_storage.read_from(resource) as directory:
            stored = pickle.loads((directory / MODEL_FILE).read_bytes())
        cues = planning.Cues.from_data(stored["cues"])
        return cls(model_storage, resource, stored["classifier"], cues)

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = training_examples(training_data)
        self._classifier = TopicClassifier.fit(texts, labels)
        cues = load_yaml(planning.CUES_FILE)
        self._cues = planning.Cues.from_data(cues)
        with self._model_storage.write_to(self._resource) as directory:
            stored = {"classifier": self._classifier, "cues": cues}
            (directory / MODEL_FILE).write_bytes(pickle.dumps(stored))
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._classifier is None:
            return messages
        texts = [self._cues.expand(message.get(TEXT) or "") for message in messages]  # "r u"
        for message, ranked in zip(messages, self._classifier.rank_all(texts), strict=True):
            reading = message_reading(ranked)
            ranking = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                for name, confidence in reading.intents[:RANKING_LENGTH]
            ]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            if reading.topics:
                message.set("response_selector", selector_output(reading.topics), True)
        return messages


def selector_output(topics: list[tuple[str, float]]) -> Dict[str, Any]:
    """What Rasa's ResponseSelector puts in a message for the `faq` retrieval intent."""
    key, confidence = topics[0]
    ranking = [
        {INTENT_RESPONSE_KEY: label, PREDICTED_CONFIDENCE_KEY: p}
        for label, p in topics[:RANKING_LENGTH]
    ]
    return {
        "all_retrieval_intents": [RETRIEVAL_INTENT],
        RETRIEVAL_INTENT: {
            "response": {
                "responses": None,
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: key,
                "utter_action": f"utter_{key}",
            },
            "ranking": ranking,
        },
    }
