"""The sentence classifier's training examples, read from the project's data files.

The NLU component fits it from Rasa's training data at training time; the action server fits
the same one from the same files (this reader) to read a follow-up in the light of the
conversation's subject, which the NLU graph cannot see.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from bot import DATA_DIR
from bot.core.understanding.topics import TopicClassifier
from bot.core.yamlio import load_yaml

ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")


def nlu_examples(directory: Path = DATA_DIR / "nlu") -> list[tuple[str, str]]:
    """(text, label) for every example of data/nlu: labels as the NLU sees them."""
    examples = []
    for path in sorted(directory.glob("*.yml")):
        for block in (load_yaml(path) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((ANNOTATION.sub(r"\1", line[2:]), str(block["intent"])))
    return examples


def answer_sentences(path: Path = DATA_DIR / "knowledge" / "answers.yml") -> list[tuple[str, str]]:
    """Sentences of the curated answers, as examples of their topic's vocabulary."""
    examples = []
    for name, variants in load_yaml(path)["responses"].items():
        label = "faq/" + name.split("/", 1)[1]
        for variant in variants:
            if not isinstance(variant, dict) or "channel" in variant or "condition" in variant:
                continue  # the default wording only: the others say the same
            if variant.get("text"):
                for sentence in re.split(r"(?<=[.!?])\s+", str(variant["text"])):
                    if len(sentence.split()) >= 4:
                        examples.append((sentence, label))
    return examples


@lru_cache(maxsize=1)
def fitted() -> TopicClassifier:
    """Fitted once per process (a few seconds), on the NLU examples and the answers."""
    examples = nlu_examples() + answer_sentences()
    return TopicClassifier.fit([t for t, _ in examples], [label for _, label in examples])
