"""A Rasa graph component that reads a whole message, sentence by sentence.

The intent classifier gives one intent for a message. A story with two questions needs each
sentence read on its own: this component runs after the classifiers, builds the reply plan of
bot.core.understanding.plan (requests, up to three topics, a question the content lacks, the facts
stated) and puts it into the parse data as `understanding`. For a message of several sentences
the plan's intent replaces the classifier's; for one sentence, only where it gave up (fallback) or
missed a request (a person, the screening, erasure) that the plan reads plainly. Markup and code
never get a topic. The sentence classifier is the intent classifier's own (one fit per
training run, on the NLU training data and the curated answers), stored in the model.
"""

from __future__ import annotations

import pickle
import re
from dataclasses import replace
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_NAME_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.core import boundaries
from bot.core.screening import parsing
from bot.core.understanding import plan as planning
from bot.core.understanding.facts import stated_facts
from bot.core.understanding.topics import TopicClassifier
from bot.core.yamlio import load_yaml
from bot.rasa_server.nlu.classifier import stored_model_fingerprint, training_examples
from bot.rasa_server.nlu.override import override_intent

CUES_FILE = planning.CUES_FILE
MODEL_FILE = "sentence_classifier.pkl"
UNDERSTANDING_KEY = "understanding"
FALLBACK = "nlu_fallback"
# Code and markup: a topic answer to "x=1" or "javascript:alert(1)" would be a confident lie.
CODE_LIKE = re.compile(
    r"[=<>{}\[\]();`$\\|]|\b(?:javascript|script|select|drop|http)\s*[:\s(]", re.I
)
KEEP_INTENTS = {"emergency", "emergency_self_harm", "unreadable_input", "medication_advice"}
# Kept, but read whole: the boundary answers the message's other questions too.
PLANNED_KEPT = {"medication_advice"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class MessageUnderstanding(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return stored_model_fingerprint()  # the cues, the answers and the classifier's code

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
        self._cues = cues

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageUnderstanding:
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MessageUnderstanding:
        with model_storage.read_from(resource) as directory:
            stored = pickle.loads((directory / MODEL_FILE).read_bytes())
        return cls(
            model_storage, resource, stored["classifier"], planning.Cues.from_data(stored["cues"])
        )

    def train(self, training_data: TrainingData) -> Resource:
        texts, labels = training_examples(training_data)  # the intent classifier's own fit
        self._classifier = TopicClassifier.fit(texts, labels)
        cues = load_yaml(CUES_FILE)
        self._cues = planning.Cues.from_data(cues)
        with self._model_storage.write_to(self._resource) as directory:
            stored = {"classifier": self._classifier, "cues": cues}
            (directory / MODEL_FILE).write_bytes(pickle.dumps(stored))
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def plan(self, text: str, entities: List[Dict[str, Any]]) -> planning.Plan:
        assert self._classifier is not None
        return planning.build(
            text,
            self._classifier.rank,
            lambda part: parsing.lexicon_values(part, "myositis_type"),
            stated_facts(text, entities),
            self._cues,
            boundaries.is_personal_medication_question,
        )

    def process(self, messages: List[Message]) -> List[Message]:
        if self._classifier is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                continue
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            if intent in KEEP_INTENTS and intent not in PLANNED_KEPT:
                continue
            found = with_confident_selection(
                self.plan(text, message.get(ENTITIES) or []), message.get("response_selector")
            )
            if intent in PLANNED_KEPT:
                message.set(UNDERSTANDING_KEY, found.as_dict(), add_to_output=True)
                continue
            if CODE_LIKE.search(text) and not found.parts:
                override_intent(message, FALLBACK)
                continue
            message.set(UNDERSTANDING_KEY, found.as_dict(), add_to_output=True)
            if intent == FALLBACK and is_bare_value(text, message.get(ENTITIES) or []):
                override_intent(message, "inform")  # "dermatomyositis": an answer, or a topic
                continue
            chosen = decide(intent, found, text)
            if chosen and chosen != intent:
                override_intent(message, chosen)
        return messages


# Lexicon values a message may consist of alone: an answer to the screening, or a topic.
BARE_VALUE_ENTITIES = ("myositis_type", "medicine", "insurance", "us_state")


def is_bare_value(text: str, entities: List[Dict[str, Any]]) -> bool:
    """The message is nothing but one lexicon value ("dermatomyositis", "Medicare"): the
    dialogue reads it as an answer or looks it up, however unsure the classifiers were."""
    words = re.sub(r"[^\w\s]", " ", text).split()
    for entity in entities:
        if entity.get("entity") in BARE_VALUE_ENTITIES:
            span = re.sub(r"[^\w\s]", " ", text[entity["start"] : entity["end"]]).split()
            if span == words:
                return True
    return False


# The response selector reads the whole message at once; this sure, its topic is answered too.
CONFIDENT_SELECTION = 0.9


def with_confident_selection(found: planning.Plan, selector: Any) -> planning.Plan:
    """A story read sentence by sentence can miss what the message as a whole clearly asks
    ("I have IgA deficiency. Can I still get IVIG?" is about IgA deficiency first)."""
    if found.sentences < 2 or not found.topics or len(found.topics) >= planning.MAX_TOPICS:
        return found
    response = ((selector or {}).get("faq") or {}).get("response") or {}
    key, confidence = response.get("intent_response_key") or "", response.get("confidence") or 0
    topic = key.removeprefix(planning.FAQ_PREFIX)
    if confidence < CONFIDENT_SELECTION or not key.startswith(planning.FAQ_PREFIX):
        return found
    if topic in found.topics:
        return found
    extra = planning.Part("topic", topic, round(float(confidence), 3))
    requests = [p for p in found.parts if p.kind != "topic" and p.kind != "not_covered"]
    rest = [p for p in found.parts if p not in requests]
    return replace(found, parts=(*requests, extra, *rest))


def decide(intent: str | None, found: planning.Plan, text: str) -> str | None:
    """The intent a message should have: the plan's for several sentences; for one sentence,
    the plan's only where the classifier gave up or missed a plain request. Erasure is never
    taken from a weak match: without the words of a request to delete, it is not understood."""
    if intent == "delete_my_data" and not planning.ERASE.search(text):
        return found.intent if found.intent not in (None, "delete_my_data") else FALLBACK
    wanted = found.intent
    if wanted is None:
        return None
    if found.sentences >= 2:
        return wanted
    if intent == FALLBACK:
        return wanted
    if found.request in ("handoff", "screening", "erase") and intent not in planning.REQUESTS:
        return wanted
    if intent in planning.REQUESTS and found.request is None and found.topics:
        return wanted  # "Is IVIG an option for it?": a question about a type, not a request
    if found.declined_by_rule and intent in READINGS_OF_A_GAP:
        return wanted  # "can eating keto help calm it down?": not the causes of myositis
    return None


# What the classifier takes a question on a subject the article lacks for: a topic, a fact told.
READINGS_OF_A_GAP = {"faq", "inform", "describe_symptoms"}
