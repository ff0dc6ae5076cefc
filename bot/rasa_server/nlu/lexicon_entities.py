"""A Rasa graph component that tags lexicon entities with a rule-based spaCy pipeline.

Unlike Rasa's SpacyNLP, which loads a pipeline from a path at run time and leaves it out of the
model archive, this component builds the pipeline from data/lexicons at training time and stores
it in the model, so a trained model is self-contained. Its fingerprint includes the lexicons'
hash: editing a lexicon retrains this component only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.language import Language

from bot.core import lexicon

PIPELINE_DIR = "spacy_pipeline"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class LexiconEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Extracts myositis types, symptoms, medicines, insurance kinds and US states."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"lexicon_dir": str(lexicon.LEXICON_DIR)}

    @classmethod
    def required_packages(cls) -> List[str]:
        return ["spacy"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        return lexicon.fingerprint(Path(config.get("lexicon_dir", lexicon.LEXICON_DIR)))

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        nlp: Language | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._nlp = nlp

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LexiconEntityExtractor:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LexiconEntityExtractor:
        with model_storage.read_from(resource) as directory:
            nlp = spacy.load(directory / PIPELINE_DIR)
        return cls(config, model_storage, resource, nlp)

    def train(self, training_data: TrainingData) -> Resource:
        self._nlp = lexicon.build_pipeline(Path(self._config["lexicon_dir"]))
        with self._model_storage.write_to(self._resource) as directory:
            self._nlp.to_disk(directory / PIPELINE_DIR)
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._nlp is None:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            found = [
                {
                    "entity": match.entity,
                    "value": match.value,
                    "start": match.start,
                    "end": match.end,
                    "confidence": 1.0,
                }
                for match in lexicon.extract(self._nlp, text)
            ]
            if found:
                entities = message.get(ENTITIES, []) + self.add_extractor_name(found)
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
