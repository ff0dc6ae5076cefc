"""Which curated topic a parsed user message asks about, and when to admit we are unsure.

Works on Rasa's parse dictionary (intent, entities, response_selector) but needs no Rasa code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

FAQ_INTENT = "faq"
TOPIC_ENTITY = "faq_topic"
TYPE_ENTITY = "myositis_type"  # its values are the type topics' names ("dermatomyositis")


DEFAULT_MIN_TOPIC_CONFIDENCE = 0.5  # below it the bot offers choices instead of answering
DEFAULT_FALLBACKS_BEFORE_HANDOFF = 2  # not-understood messages in a row, then a specialist


def chosen_topic(parse: Mapping[str, Any], known: set[str]) -> str | None:
    """The topic a button or payload named explicitly (`/faq{"faq_topic": "ivig_dose"}`)."""
    for entity in parse.get("entities") or []:
        if entity.get("entity") == TOPIC_ENTITY and entity.get("value") in known:
            return str(entity["value"])
    name = (parse.get("intent") or {}).get("name") or ""
    if name.startswith(FAQ_INTENT + "/") and name.split("/", 1)[1] in known:
        return name.split("/", 1)[1]
    return None


def named_type_topic(parse: Mapping[str, Any], known: set[str]) -> str | None:
    """The type topic of a message that names exactly one myositis type: after a bare
    "dermatomyositis" outside the screening, the classifier may well read an answer (`inform`)
    and spread its topic mass, but the person plainly wants that type's facts."""
    types = {
        str(entity.get("value"))
        for entity in parse.get("entities") or []
        if entity.get("entity") == TYPE_ENTITY
    }
    if len(types) == 1 and (topic := next(iter(types))) in known:
        return topic
    return None


def selected_topic(
    parse: Mapping[str, Any], known: set[str], threshold: float
) -> tuple[str | None, float]:
    """The FAQ topic the NLU chose and its confidence; None when below threshold."""
    explicit = chosen_topic(parse, known)
    if explicit:
        return explicit, 1.0
    selector = (parse.get("response_selector") or {}).get(FAQ_INTENT) or {}
    response = selector.get("response") or {}
    key = response.get("intent_response_key") or ""
    confidence = float(response.get("confidence") or 0.0)
    topic = key.split("/", 1)[1] if "/" in key else None
    if topic in known and confidence >= threshold:
        return topic, confidence
    return None, confidence


def consecutive_fallbacks(events: Sequence[Mapping[str, Any]]) -> int:
    """How many of the latest user messages in a row were not understood (nlu_fallback)."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent != "nlu_fallback":
            break
        count += 1
    return count
