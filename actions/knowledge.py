"""Answering from the curated content: FAQ answers, their sources and the search fallback."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import understanding
from bot.action_server import settings
from bot.core import routing
from bot.core.buttons import button
from bot.core.knowledge import KnowledgeBase, knowledge_base

logger = logging.getLogger(__name__)


def next_steps(tracker: Tracker) -> List[Dict[str, str]]:
    """The screening (worded for the person asked about) and a specialist, after an answer."""
    return [button("screening", understanding.stated_person(tracker)), button("specialist")]


def topic_button(key: str, kb: KnowledgeBase) -> Dict[str, str]:
    return {"title": kb.topics[key].title, "payload": f'/faq{{"faq_topic": "{key}"}}'}


def offer_search_results(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Admit uncertainty and offer the closest topics, never a confident guess."""
    kb = knowledge_base()
    hits = kb.search(tracker.latest_message.get("text") or "")
    if hits:
        dispatcher.utter_message(
            response="utter_did_you_mean",
            buttons=[topic_button(hit.topic.key, kb) for hit in hits] + [button("specialist")],
        )
    else:
        dispatcher.utter_message(response="utter_default", buttons=[button("specialist")])


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        kb = knowledge_base()
        if understanding.answers_whole_message(tracker):  # a long message: every part answered
            buttons = understanding.option_buttons(tracker, next_steps(tracker))
            return understanding.answer_topics(dispatcher, tracker, buttons)
        topic = understanding.follow_up_by_rule(tracker)  # "what about for IBM?", "what's in it?"
        if topic not in kb.topics:
            topic = understanding.planned_by_rule(tracker)  # "Is IVIG an option for it?"
        if topic not in kb.topics:
            topic, _ = routing.selected_topic(
                tracker.latest_message, set(kb.topics), settings.min_topic_confidence()
            )
        if topic is None:  # a bare type ("dermatomyositis", "and dermatomyositis?")
            named = routing.named_type_topic(tracker.latest_message, set(kb.topics))
            planned = understanding.planned(tracker, "topic")
            if latest_intent(tracker) == "inform" or (named and planned == [named]):
                topic = named  # the lexicon and the sentence's reading agree
        if topic is None:  # unsure: a follow-up read with the conversation's subject
            topic = understanding.follow_up_topic(tracker)
        if topic is None:  # the response selector is unsure: the sentence classifier's topic
            topic = next(
                (t for t in understanding.planned(tracker, "topic") if t in kb.topics), None
            )
        if topic is None:
            offer_search_results(dispatcher, tracker)
            return []
        return answer_topic(dispatcher, tracker, topic)


def answer_topic(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: str
) -> List[Dict[str, Any]]:
    """One topic's answer with its source, and when to seek care after a question about a red
    flag; the conversation's subject becomes this topic."""
    kb = knowledge_base()
    answer = kb.answer(
        topic, tracker.get_latest_input_channel(), understanding.stated_person(tracker)
    )
    dispatcher.utter_message(
        response="utter_answer",
        answer=answer.text,
        source=answer.source_line,
        care=understanding.seek_care(tracker, kb),
        buttons=next_steps(tracker),
    )
    return understanding.answered(tracker, kb, [topic])


class ActionDecline(Action):
    """A question the content does not answer: an honest decline and the offer of a specialist;
    but a short follow-up that the conversation's subject plainly answers ("is there a test
    for that?" after IgA deficiency) gets that answer."""

    def name(self) -> str:
        return "action_decline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        topic = understanding.gap_follow_up(tracker)
        if topic is not None:
            return [*answer_topic(dispatcher, tracker, topic), SlotSet("declined", False)]
        if understanding.planned(tracker, "out_of_scope"):  # "... Also, what's the weather?"
            dispatcher.utter_message(response="utter_out_of_scope_part")
        dispatcher.utter_message(response="utter_not_covered")  # its question comes last
        return [SlotSet("declined", True)]


class ActionShowSources(Action):
    def name(self) -> str:
        return "action_show_sources"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        kb = knowledge_base()
        topic = tracker.get_slot("last_topic")
        if topic not in kb.topics:
            dispatcher.utter_message(
                response="utter_sources_before_any_answer", article=kb.article_title
            )
            return []
        references = kb.sources(topic)
        title = kb.topics[topic].title
        if not references:
            dispatcher.utter_message(
                response="utter_sources_of_team_answer",
                title=title,
                source=kb.source_line(kb.topics[topic]),
            )
            return []
        # The team's sentences of the answer are named apart from the article's references.
        labels = kb.label_lines(kb.claims_of(kb.topics[topic]))
        dispatcher.utter_message(
            response="utter_sources_of_answer",
            title=title,
            article=kb.article_title,
            references="\n".join(f"[{r.number}] {r.citation} {r.url}" for r in references),
            labels="".join(f"\n{line}" for line in labels),
        )
        return []


NLU_FALLBACK = "nlu_fallback"


# A yes or no with nothing before it to agree to: nothing to look up either.
NOTHING_TO_SEARCH = {"affirm", "deny"}


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


class ActionKnowledgeFallback(Action):
    def name(self) -> str:
        return "action_knowledge_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        # Also Rasa's core fallback (config.yml): a turn no rule expects, such as "ok what about
        # saturday?" read as a yes. Then, like Rasa's own fallback, the message is taken back
        # once answered, so the dialogue waits for the next one instead of falling back again.
        taken_back = [] if latest_intent(tracker) == NLU_FALLBACK else [UserUtteranceReverted()]
        follow_up = understanding.follow_up_topic(tracker)  # "which muscles does it go after?"
        if follow_up is not None:
            return taken_back + answer_topic(dispatcher, tracker, follow_up)
        if latest_intent(tracker) in NOTHING_TO_SEARCH:
            # "yes" after an answer that offered nothing: a search would match the word "yes" in
            # an answer ("Yes, we offer IVIG home infusion") and offer that topic.
            dispatcher.utter_message(response="utter_anything_else")
            return taken_back
        if routing.consecutive_fallbacks(tracker.events) >= settings.fallbacks_before_handoff():
            dispatcher.utter_message(response="utter_still_not_understanding")
            return taken_back
        offer_search_results(dispatcher, tracker)
        return taken_back


class ActionOutOfScope(Action):
    """Outside what the assistant does, unless it is a follow-up the classifier read alone:
    "What's it made of?" after an answer about IVIG reads as off-topic on its own words."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        follow_up = understanding.follow_up_topic(tracker, clear=True)
        if follow_up is not None:
            return answer_topic(dispatcher, tracker, follow_up)
        if (tracker.active_loop or {}).get("name"):
            dispatcher.utter_message(response="utter_out_of_scope_in_screening")
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []
