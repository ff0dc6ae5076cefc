"""Answering every part of a long message: up to three topics, each with its source, an honest
"I don't have that" for a question the content lacks, and the rest as options. The plan comes
from the NLU (bot/rasa_server/nlu/understanding.py) in the parse data's `understanding`."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Collection, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.core import routing, safety
from bot.core.knowledge import KnowledgeBase, knowledge_base
from bot.core.understanding import context, training
from bot.core.understanding import plan as planning
from bot.core.yamlio import load_yaml

PLAN_KEY = "understanding"
MADE_OF_TOPIC = "what_is_ivig"  # "what's in it?": what IVIG is made of


def planned(tracker: Tracker, kind: str) -> List[str]:
    """The topics of the latest message's plan, or whether it holds a part of `kind`."""
    plan = (tracker.latest_message or {}).get(PLAN_KEY) or {}
    return [p.get("topic") or p["kind"] for p in plan.get("parts", []) if p.get("kind") == kind]


def answers_whole_message(tracker: Tracker) -> bool:
    """A message of several sentences whose plan names topics, or one that asks two things at
    once ("how is IBM different from polymyositis?"): every part is answered. One sentence
    with one topic keeps the classifiers' single answer."""
    plan = (tracker.latest_message or {}).get(PLAN_KEY) or {}
    topics = planned(tracker, "topic")
    return bool(topics) and (int(plan.get("sentences") or 0) >= 2 or len(topics) >= 2)


def seek_care(tracker: Tracker, kb: KnowledgeBase) -> str:
    """When to seek care, after an answer to a question about a red flag, with its own label
    (the team's safety advice, not the article's). The NLU's verdict decides, not a re-check."""
    found = (tracker.latest_message or {}).get("red_flag") or {}
    if found.get("level") != "about":
        return ""
    return f"\n\n{safety.seek_care_text()}\n{kb.appended_label('seek_care')}"


def follow_up_reading(tracker: Tracker) -> context.Reading | None:
    """A short message that leans on what came before ("and ...", "it", "that one"), read
    alone (texting shorthand spelled out) and with the last answer's subject; None for
    anything else."""
    kb = knowledge_base()
    text = cues().expand((tracker.latest_message or {}).get("text") or "")
    if text.startswith("/") or not context.looks_like_follow_up(text):
        return None  # a question of its own: the classifiers' reading stands
    last = tracker.get_slot("last_topic")
    subject = kb.topics[last].title if last in kb.topics else None
    diagnosis = stated_type(tracker)  # a type's value is its topic's key
    stated = kb.topics[diagnosis].title if diagnosis in kb.topics else None
    named = None if subject else mentioned_subject(tracker)  # before any answer: what they asked
    mentioned = kb.topics[named].title if named in kb.topics else None
    return context.read(text, subject, training.fitted().rank, last, stated, mentioned)


def recent_user_events(tracker: Tracker, count: int) -> List[Dict[str, Any]]:
    """The person's latest `count` messages, newest first."""
    return [e for e in reversed(tracker.events) if e.get("event") == "user"][:count]


def answered(tracker: Tracker, kb: KnowledgeBase, topics: List[str]) -> List[EventType]:
    """After answering `topics` (in the order read): the conversation's subject is the first,
    they join the topics asked about, and a "yes" asks for a specialist when the answer read
    last says one can help."""
    asked = list(tracker.get_slot("topics_asked") or [])
    return [
        SlotSet("last_topic", topics[0]),
        SlotSet("topics_asked", [*asked, *topics][-20:]),
        SlotSet("specialist_offered", kb.topics[topics[-1]].offers_specialist),
    ]


def mentioned_subject(tracker: Tracker, look_back: int = 3) -> str | None:
    """The topic an earlier message of the person named (IVIG, in "Could IVIG help him?"), for
    a follow-up before any answer gave the conversation a subject."""
    for event in recent_user_events(tracker, look_back + 1)[1:]:
        topic = cues().mentioned_in(cues().expand(event.get("text") or ""))
        if topic is not None:
            return topic
    return None


def stated_person(tracker: Tracker, look_back: int = 10) -> str | None:
    """Who a caregiver asks about ("your mother"), from what their recent messages told; None
    when the latest telling is about themselves ("I have ...") or the screening is for them."""
    if tracker.get_slot("for_whom") == "self":
        return None
    for event in recent_user_events(tracker, look_back):
        facts = ((event.get("parse_data") or {}).get(PLAN_KEY) or {}).get("facts") or {}
        if facts.get("person"):
            return str(facts["person"])
        if facts.get("for_whom") == "self":
            return None
    return None


def stated_type(tracker: Tracker, look_back: int = 10) -> str | None:
    """The myositis type the person last stated, in the screening's slot or in what their
    recent messages told ("My mom has polymyositis"): the NLU reads the facts of every message,
    and the screening keeps them in slots only once it starts."""
    if tracker.get_slot("diagnosis"):
        return str(tracker.get_slot("diagnosis"))
    for event in recent_user_events(tracker, look_back):
        plan = (event.get("parse_data") or {}).get(PLAN_KEY) or {}
        if (plan.get("facts") or {}).get("diagnosis"):
            return str(plan["facts"]["diagnosis"])
    return None


def asked_again_for_a_type(tracker: Tracker) -> str | None:
    """The last answer's topic, when the message asks it again for another type ("what about
    for IBM?" after how well IVIG works in dermatomyositis)."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    named = [
        text[e["start"] : e["end"]]
        for e in message.get("entities") or []
        if e.get("entity") == routing.TYPE_ENTITY and "start" in e and "end" in e
    ]
    topic = context.asked_again_for(text, named, tracker.get_slot("last_topic"), cues().per_type)
    return topic if topic in knowledge_base().topics else None


def follow_up_by_rule(tracker: Tracker) -> str | None:
    """A follow-up read from its words: the same question for another type, or what "it" is
    made of once the conversation is under way (IVIG: no disease is made of anything)."""
    again = asked_again_for_a_type(tracker)
    if again is not None:
        return again
    text = cues().expand((tracker.latest_message or {}).get("text") or "")
    if not cues().asks_made_of(text) or len(text.split()) > context.MAX_WORDS:
        return None
    under_way = tracker.get_slot("last_topic") or mentioned_subject(tracker)
    if under_way or planning.NAMES_IVIG.search(text):
        return MADE_OF_TOPIC if MADE_OF_TOPIC in knowledge_base().topics else None
    return None


def follow_up_topic(tracker: Tracker, clear: bool = False) -> str | None:
    """The topic of a question the classifiers were unsure of, read alone or with the subject
    of the last answer ("which muscles does it go after?"), when either reading is confident
    (`clear`: when one is clearly so)."""
    by_rule = follow_up_by_rule(tracker)
    if by_rule is not None:
        return by_rule
    reading = follow_up_reading(tracker)
    if reading is None:
        return None
    topic = reading.clear_topic() if clear else reading.topic()
    return topic if topic in knowledge_base().topics else None


# A follow-up the classifiers took for a gap in the content is answered from the subject only
# when they barely thought so and the subject makes the question plain: "is there a test for
# that?" after IgA deficiency, never "can she take it with her blood thinner?".
WEAK_GAP = 0.3
PLAIN_WITH_SUBJECT = 0.7


def gap_follow_up(tracker: Tracker) -> str | None:
    """The topic of a follow-up read as a content gap, when the subject plainly answers it."""
    plan = (tracker.latest_message or {}).get(PLAN_KEY) or {}
    if any(
        p.get("kind") == "not_covered" and float(p.get("confidence") or 0) >= planning.BY_RULE
        for p in plan.get("parts", [])
    ):
        return None  # declined for the subject it names ("can she fly after it?")
    reading = follow_up_reading(tracker)
    if reading is None or reading.with_subject is None:
        return None
    label, probability = reading.alone
    if label == "ask_not_covered" and probability >= WEAK_GAP:
        return None
    topic, confidence = reading.with_subject
    if confidence < PLAIN_WITH_SUBJECT or topic not in knowledge_base().topics:
        return None
    return topic


@lru_cache(maxsize=1)
def cues() -> planning.Cues:
    return planning.Cues.from_data(load_yaml(planning.CUES_FILE))


def planned_by_rule(tracker: Tracker) -> str | None:
    """The first topic the plan read from the message's own words rather than from a
    classifier ("Is IVIG an option for it?", "What is that?" after a type is named)."""
    plan = (tracker.latest_message or {}).get(PLAN_KEY) or {}
    for part in plan.get("parts", []):
        if part.get("kind") == "topic" and float(part.get("confidence") or 0) >= planning.BY_RULE:
            return part.get("topic")
    return None


def more_topics(tracker: Tracker) -> List[str]:
    plan = (tracker.latest_message or {}).get(PLAN_KEY) or {}
    return list(plan.get("more") or [])


def answer_topics(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    buttons: List[Dict[str, Any]],
    said: Collection[str] = (),
) -> List[EventType]:
    """Each planned topic answered with its source (but those `said` already); the content's
    gaps said honestly."""
    kb = knowledge_base()
    channel = tracker.get_latest_input_channel()
    topics = [t for t in planned(tracker, "topic") if t in kb.topics and t not in said]
    person = stated_person(tracker)
    elsewhere, gap = planned(tracker, "out_of_scope"), planned(tracker, "not_covered")
    for number, topic in enumerate(topics):
        answer = kb.answer(topic, channel, person)
        last = number == len(topics) - 1
        care = seek_care(tracker, kb) if last else ""
        dispatcher.utter_message(
            response="utter_answer_part",
            answer=answer.text,
            source=answer.source_line,
            care=care,
            buttons=buttons if last and not (elsewhere or gap) else [],
        )
    # What the reply cannot answer, after what it can: another subject, then a content gap.
    if elsewhere:
        dispatcher.utter_message(response="utter_out_of_scope_part", buttons=[] if gap else buttons)
    if gap:
        dispatcher.utter_message(response="utter_not_covered_part", buttons=buttons)
    if not topics:
        return []
    return answered(tracker, kb, topics)


def option_buttons(tracker: Tracker, extra: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    kb = knowledge_base()
    options = [
        {"title": kb.topics[t].title, "payload": f'/faq{{"faq_topic": "{t}"}}'}
        for t in more_topics(tracker)
        if t in kb.topics
    ]
    return options + extra


class ActionAnswerParts(Action):
    """Before a handoff or the screening starts: the facts the same message asked about."""

    def name(self) -> str:
        return "action_answer_parts"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        return answer_topics(dispatcher, tracker, option_buttons(tracker, []))
