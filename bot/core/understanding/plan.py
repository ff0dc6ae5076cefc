"""The reply plan for a whole message: what to answer, in which order, and what to leave as
options. An emergency is handled before this (bot.core.safety); then a request for a person or for
the screening, then the facts asked about, at most three, each answered with its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from bot import DATA_DIR
from bot.core.understanding.segments import Segment, segments
from bot.core.understanding.topics import FAQ_PREFIX

CUES_FILE = DATA_DIR / "understanding" / "cues.yml"

MAX_TOPICS = 3
# Below this probability a sentence's label is not taken (measured on the development set).
MIN_CONFIDENCE = 0.30
MIN_REQUEST_CONFIDENCE = 0.30
CLEAR_REQUEST = 0.50  # a request the classifier alone reads this surely stands against a story
# A question on the subject (IVIG, myositis, the program) takes the best topic among the first
# few even when an off-topic label leads, down to this probability.
MIN_ON_SUBJECT = 0.10
CLEARLY_NOT_COVERED = 0.50
GAP_MARGIN = 3.0  # a gap this many times likelier than the best topic is a gap
# A topic below MIN_CONFIDENCE is still taken when it leads every other label this clearly.
CLEAR_LEAD, LEAD_RATIO = 0.25, 3.0
BY_RULE = 1.0  # a topic read from the message's own words (a comparison, "what is that?")
NAMES_IVIG = re.compile(r"\b(?:ivig|immunoglobulins?|immune globulins?)\b", re.I)
NOT_QUESTIONS = {"greet", "thank", "affirm", "deny", "goodbye", "bot_challenge"}
CLOCK = {"am", "pm"}
ON_SUBJECT = re.compile(
    r"\b(?:ivig|igg|immunoglobulin|immune globulin|infusions?|myositis|myopathy|\w*myositis|ibm|"
    r"sibm|dm|pm|jdm|muscles?|weak\w*|steroids?|prednisone|dose|dosing|side effects?|copay|"
    r"insurance|medicare|medicaid|cost|pay|home|pharmacy|nurse|antibod\w*|plasma|iga)\b",
    re.I,
)
SYMPTOM_STORY = "describe_symptoms"  # a question about signs one has: the symptoms answer
REQUESTS = {"request_human": "handoff", "check_eligibility": "screening", "delete_my_data": "erase"}
# Erasing is never done on a weak match: the words must say it ("delete my information").
ERASE = re.compile(
    r"\b(?:delete|erase|remove|forget|wipe|destroy|clear)\b.{0,40}\b(?:my|our|his|her|their|all|"
    r"the)\b.{0,25}\b(?:data|information|info|details|records?|messages?|conversation|chat|"
    r"history|number|everything|account|answers|referral)\b"
    r"|\b(?:my|our|his|her|their|all)\b.{0,15}\b(?:data|information|info|details|records?|messages?)"
    r"\b.{0,15}\b(?:removed|deleted|erased|wiped|gone|taken out)\b"
    r"|\b(?:delete|erase|remove|wipe)\b.{0,20}\bwhat (?:i|we|she|he) (?:submitted|entered|gave you|"
    r"typed|told you|sent)\b"
    # "Please delete everything you have on me", "erase all I've typed in here"
    r"|\b(?:delete|erase|remove|wipe|clear)\b.{0,20}\b(?:everything|anything|all)\b.{0,10}"
    r"\b(?:you (?:have|hold|keep|kept|stored|saved|got)|on me|about me|(?:i|we)(?:'ve| have)? "
    r"(?:typed|written|entered|said|sent|shared|told you|put|given))"
    # "can u get rid of this whole convo", "wipe everything", "scrub all of that"
    r"|\b(?:wipe|erase|delete|remove|scrub|get rid of|clear)\b.{0,30}\b(?:everything|all of "
    r"(?:it|that|this)|(?:this|the|that|my|our|her|his) (?:whole |entire )?(?:convo|conversation|"
    r"chat|record|history))\b"
    # "wants everything we have on her wiped", "I'd like all of that gone", "can it be wiped"
    r"|\b(?:everything|all of (?:it|that|this)|(?:that|this|the) (?:whole )?(?:conversation|convo|"
    r"chat|record))\b.{0,40}\b(?:be )?(?:wiped|erased|deleted|scrubbed)\b"
    r"|\b(?:like|want|need)s? (?:all of (?:that|it|this)|everything|it all) gone\b"
    r"|\b(?:can|could|should|will) (?:it|that|this|all that) be (?:wiped|erased|deleted|scrubbed)\b"
    # "I don't want anything I've told you here kept on file"
    r"|\b(?:do not|don't|dont|doesn't|doesnt|does not|never) want\b.{0,15}\b(?:anything "
    r"(?:i|we|she|he)|any (?:record|of (?:it|that|this|my|her|his))|(?:my|her|his|our) "
    r"(?:data|details|info|information|messages?|conversation|chat))\b.{0,40}"
    r"\b(?:kept|stored|saved|on file|staying|recorded|held|sitting)\b",
    re.I,
)
TOLD_BEFORE = re.compile(r"\b(?:asked|already|last time|before|earlier you)\b", re.I)
COMPARISON = re.compile(
    r"\b(?:differ\w*|diff|difference|compare\w*|comparison|versus|vs|same thing|tell (?:them|it) "
    r"apart|keep them straight|mix(?:ed)? (?:them )?up|confuse|between)\b",
    re.I,
)
# Words that carry the subject into a later question ("What's it made of?" after "IVIG ...").
SUBJECT_WORDS = re.compile(
    r"\b(?:ivig|immunoglobulin|infusions?|myositis|\w+myositis|myopathy|ibm|sibm|copay|insurance)\b",
    re.I,
)
TREATMENT_CHOICE_TOPICS = ("when_ivig_used", "cure_and_first_line")
WORKS_FOR_TOPICS = ("ivig_for_which_types", "ivig_success")
# IVIG as a treatment for something: "used for", "a good option for", "given in".
IVIG_FOR = re.compile(
    r"\b(?:used|given|prescribed|approved|offered|an option|a good option|a treatment|good|"
    r"work\w*|help\w*)\s+(?:for|with|in|to treat)\b",
    re.I,
)
# Whether IVIG is used for a thing, not how well it works ("how well does it work for it?").
USED_FOR = re.compile(
    r"\b(?:used|given|prescribed|approved|offered|an option|a good option|a treatment)\s+"
    r"(?:for|with|in|to treat)\b",
    re.I,
)
# IVIG given to someone, or fit for them ("do doctors use IVIG for children?", "ok for kids?").
IVIG_GIVEN = re.compile(
    r"\b(?:use|uses|used|using|give|gives|given|giving|prescrib\w*|ok|okay|safe|an option|"
    r"approved|suitable|appropriate|work|works|help|helps)\b",
    re.I,
)
IT = re.compile(r"\b(?:it|this|that)\b", re.I)
# How IVIG would help, not whether it could help someone (the screening's question).
HOW_IT_HELPS = re.compile(
    r"\bhow (?:would|does|will|could|can|might|is|exactly) (?:ivig|it|this|that|immunoglobulin)"
    r"(?: \w+)? (?:help|work)",
    re.I,
)
HOW_IT_WORKS = re.compile(r"\bhow\b(?!\s+(?:well|good|effective|successful|likely|often))", re.I)
HELPS_WITH = re.compile(
    r"\b(?:help|work|do anything)\w*\s+(?:with|on|against|for (?:the|her|his|my))\b", re.I
)
JUVENILE = "juvenile_myositis"
FOR_A_TYPE = "ivig_for_which_types"  # IVIG asked about for a type ("is it an option for it?")
TYPE_TOPICS = ("dermatomyositis", "polymyositis", "inclusion_body_myositis",
               "necrotizing_myopathy", "juvenile_myositis")  # fmt: skip


@dataclass(frozen=True)
class Cues:
    """Request and subject words from data/understanding/cues.yml, compiled."""

    requests: Mapping[str, re.Pattern[str]]
    subjects: Mapping[str, re.Pattern[str]]
    shorthand: Mapping[str, str] = field(default_factory=dict)
    definition: re.Pattern[str] | None = None
    treatment_choice: tuple[re.Pattern[str], ...] = ()  # IVIG, first medicines, a choice
    done_before: re.Pattern[str] | None = None  # a screening already done, told as context
    in_general: re.Pattern[str] | None = None  # myositis as a whole, against one type
    mentioned: Mapping[str, re.Pattern[str]] = field(default_factory=dict)  # a message's subject
    # Who a caregiver asks about, as the answers name them ("your mother"), by its words ("my mom").
    relatives: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    made_of: re.Pattern[str] | None = None  # what a medicine is made of: IVIG, never a disease
    works_for: re.Pattern[str] | None = None  # "does IVIG work for IBM?": used for it, how well
    per_type: tuple[str, ...] = ()  # topics whose facts differ by type ("what about for IBM?")
    health: re.Pattern[str] | None = None  # health, medicine and the pharmacy's service
    elsewhere: re.Pattern[str] | None = None  # car insurance, property tax: not ours
    children: re.Pattern[str] | None = None  # "kids", "children": juvenile myositis too
    for_children: tuple[str, ...] = ()  # topics that children's own facts add to
    gaps: re.Pattern[str] | None = None  # subjects the article says nothing about

    @classmethod
    def from_data(cls, raw: Mapping[str, Any]) -> Cues:
        def words(items: Sequence[str]) -> re.Pattern[str]:
            return re.compile(r"\b(?:" + "|".join(items) + r")\b", re.I)

        return cls(
            {kind: words(items) for kind, items in raw["requests"].items()},
            {topic: words(items) for topic, items in raw["subjects"].items()},
            {str(k).lower(): str(v) for k, v in (raw.get("shorthand") or {}).items()},
            words(raw["definition"]) if raw.get("definition") else None,
            tuple(words(raw["treatment_choice"][k]) for k in ("ivig", "first_line", "choice"))
            if raw.get("treatment_choice")
            else (),
            words(raw["done_before"]) if raw.get("done_before") else None,
            words(raw["in_general"]) if raw.get("in_general") else None,
            {topic: words(items) for topic, items in (raw.get("mentioned") or {}).items()},
            {
                person: re.compile(r"\b(?:my|our)\s+(?:" + "|".join(items) + r")\b", re.I)
                for person, items in (raw.get("relatives") or {}).items()
            },
            words(raw["made_of"]) if raw.get("made_of") else None,
            words(raw["works_for"]) if raw.get("works_for") else None,
            tuple(raw.get("per_type") or ()),
            words(raw["health"]) if raw.get("health") else None,
            words(raw["elsewhere"]) if raw.get("elsewhere") else None,
            words(raw["children"]) if raw.get("children") else None,
            tuple(raw.get("for_children") or ()),
            words(raw["gaps"]) if raw.get("gaps") else None,
        )

    def is_treatment_choice(self, text: str) -> bool:
        return bool(self.treatment_choice) and all(p.search(text) for p in self.treatment_choice)

    def expand(self, text: str) -> str:
        """Texting shorthand spelled out, whole words only."""
        if not self.shorthand:
            return text

        def spelled(m: re.Match[str]) -> str:
            word = m.group()
            if word.lower() in CLOCK and m.string[: m.start()].rstrip()[-1:].isdigit():
                return word  # "after 6 pm" is a time, not polymyositis
            return self.shorthand.get(word.lower(), word)

        return re.sub(r"[A-Za-z0-9]+", spelled, text)

    def names_myositis_in_general(self, text: str) -> bool:
        return bool(self.in_general and self.in_general.search(text))

    def tells_done_before(self, text: str) -> bool:
        return bool(self.done_before and self.done_before.search(text))

    def asks_definition(self, text: str) -> bool:
        return bool(self.definition and self.definition.search(text))

    def about_something_else(self, text: str) -> bool:
        """Not one word of health, medicine, the pharmacy or the assistant's subject, once other
        kinds of insurance and bills are set aside ("does my car insurance cover a rental?").
        Without the health words (no cues loaded), nothing is judged to be elsewhere."""
        if self.health is None:
            return False
        if self.elsewhere is not None:
            text = self.elsewhere.sub(" ", text)
        return not ON_SUBJECT.search(text) and not self.health.search(text)

    def names_gap(self, text: str) -> bool:
        """Whether a question is on a subject the article says nothing about (flying after an
        infusion, birth control, a brand): its other words must not make it a topic."""
        return bool(self.gaps and self.gaps.search(text))

    def names_health_or_subject(self, text: str) -> bool:
        """Whether a question names health, medicine or the content's own subject (IVIG,
        myositis): a gap in the content, rather than a question about nothing in particular."""
        return bool(SUBJECT_WORDS.search(text) or (self.health and self.health.search(text)))

    def asks_made_of(self, text: str) -> bool:
        """What "it" is made of or comes from, with no disease named in the question ("where
        does dermatomyositis come from?" asks for the causes)."""
        if not (self.made_of and self.made_of.search(text)):
            return False
        named = [m.group() for m in SUBJECT_WORDS.finditer(text)]
        return all(NAMES_IVIG.fullmatch(n) or n.lower().startswith("infusion") for n in named)

    def request_in(self, text: str) -> str | None:
        for kind in ("handoff", "screening"):
            if self.requests[kind].search(text):
                return kind
        return None

    def subjects_in(self, text: str) -> list[str]:
        return [topic for topic, pattern in self.subjects.items() if pattern.search(text)]

    def person_in(self, text: str) -> str | None:
        """Who a caregiver writes about, as an answer names them: "my mom" is "your mother";
        the first one named when there are several."""
        found = [
            (m.start(), person) for person, p in self.relatives.items() if (m := p.search(text))
        ]
        return min(found)[1] if found else None

    def mentioned_in(self, text: str) -> str | None:
        """The topic whose subject a message names, for a follow-up before any answer gave the
        conversation one ("Could IVIG help him?" then "What's it made of?")."""
        return next((t for t, pattern in self.mentioned.items() if pattern.search(text)), None)


NO_CUES = Cues({}, {})

Ranker = Callable[[Sequence[str]], list[list[tuple[str, float]]]]
TypesOf = Callable[[str], list[str]]


@dataclass(frozen=True)
class Part:
    kind: str  # handoff, screening, erase, topic, not_covered, out_of_scope
    topic: str | None = None
    confidence: float = 0.0


@dataclass(frozen=True)
class Plan:
    parts: tuple[Part, ...] = ()
    more: tuple[str, ...] = ()  # topics asked beyond MAX_TOPICS, offered as options
    facts: Mapping[str, Any] = field(default_factory=dict)
    sentences: int = 0
    off_topic: bool = False  # a question about something else entirely (another store, pets)

    @property
    def topics(self) -> list[str]:
        return [p.topic for p in self.parts if p.kind == "topic" and p.topic]

    @property
    def declined_by_rule(self) -> bool:
        """A question the plan declined for the subject it names, not for a weak reading."""
        return any(p.kind == "not_covered" and p.confidence >= BY_RULE for p in self.parts)

    @property
    def request(self) -> str | None:
        return next((p.kind for p in self.parts if p.kind in REQUESTS.values()), None)

    @property
    def intent(self) -> str | None:
        """The intent that starts the right conversation for this plan."""
        kinds = {p.kind for p in self.parts}
        for name, kind in REQUESTS.items():
            if kind in kinds:
                return name
        if "topic" in kinds:
            return "faq"
        if "not_covered" in kinds:
            return "ask_not_covered"
        if self.off_topic:
            return "out_of_scope"
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "parts": [p.__dict__ for p in self.parts],
            "more": list(self.more),
            "facts": dict(self.facts),
            "sentences": self.sentences,
            "off_topic": self.off_topic,
        }


def _subject_topic(ranking: list[tuple[str, float]]) -> tuple[str, float] | None:
    for label, probability in ranking:
        if label.startswith(FAQ_PREFIX) and probability >= MIN_CONFIDENCE / 2:
            return label[len(FAQ_PREFIX) :], probability
    return None


def _topic_of_question(text: str, ranking: list[tuple[str, float]]) -> tuple[str, float] | None:
    """The topic a question asks about: the leading label when it is a topic and confident; on
    the subject, the best topic among the first few unless the content clearly lacks it."""
    label, probability = ranking[0]
    if label.startswith(FAQ_PREFIX) and probability >= MIN_CONFIDENCE:
        return label[len(FAQ_PREFIX) :], probability
    if _clearly_uncovered(ranking) or _far_likelier_gap(ranking):
        return None  # "how long do people with IBM live?": far likelier a gap than any topic
    runner_up = ranking[1][1] if len(ranking) > 1 else 0.0
    if (
        label.startswith(FAQ_PREFIX)
        and probability >= CLEAR_LEAD
        and (probability >= LEAD_RATIO * runner_up)
    ):
        return label[len(FAQ_PREFIX) :], probability  # "What days and times can we reach you?"
    if ON_SUBJECT.search(text):
        candidates = [
            (other[len(FAQ_PREFIX) :], chance)
            for other, chance in ranking
            if other.startswith(FAQ_PREFIX) and chance >= MIN_ON_SUBJECT
        ]
        if NAMES_IVIG.search(text):
            # Unsure between a type and what IVIG does for it ("Does IVIG help IBM at all?"):
            # the question is about IVIG, and the type's own facts do not answer it.
            candidates.sort(key=lambda candidate: candidate[0] in TYPE_TOPICS)
        if candidates:
            return candidates[0]
    return None


def build(
    text: str,
    rank: Ranker,
    types_in: TypesOf,
    facts: Mapping[str, Any] | None = None,
    cues: Cues = NO_CUES,
    advice: Callable[[str], bool] = lambda _: False,
) -> Plan:
    """Read every sentence: requests, topics asked about, questions the content lacks. A
    question about one's own medicine (`advice`) is left to the medical boundary: it gets no
    topic and is no gap, and the message's other questions are still answered."""
    found = segments(cues.expand(text))  # "r u open sun" asks, as "are you open sunday"
    if not found:
        return Plan()
    apart = _set_apart(found)  # read once: the readings below all leave these questions alone
    rankings, alone = _rankings(found, rank, apart)
    in_context = _in_context(found, rank, apart)
    requests: list[Part] = []
    topics: list[Part] = []
    uncovered = off_topic = told_screening = elsewhere = gap_named = gap_cued = False
    secondary: set[str] = set()  # the second answer to one question, left out for another's

    def add_topic(topic: str, confidence: float) -> None:
        if all(p.topic != topic for p in topics):
            topics.append(Part("topic", topic, round(confidence, 3)))

    named_types = list(dict.fromkeys(t for t in types_in(cues.expand(text)) if t in TYPE_TOPICS))
    general = ["what_is_myositis"] if cues.names_myositis_in_general(text) else []
    compared = general + named_types  # "dermatomyositis vs myositis in general": both sides
    compares = len(compared) >= 2 and bool(COMPARISON.search(text))
    ivig_compared = compares and any(
        s.asks
        and COMPARISON.search(s.text)
        and NAMES_IVIG.search(s.text)
        and IVIG_FOR.search(s.text)
        for s in found
    )
    if ivig_compared:
        # "Is IVIG a good option for DM versus IBM?" compares what IVIG does for each type:
        # which types it is used for, and how well it works, not the types' own facts.
        for topic in WORKS_FOR_TOPICS:
            add_topic(topic, BY_RULE)
    elif compares:
        for topic in compared:
            add_topic(topic, BY_RULE)
    if any(s.asks and cues.is_treatment_choice(s.text) for s in found):
        for topic in TREATMENT_CHOICE_TOPICS:  # "IVIG or more steroids?": both sides
            add_topic(topic, BY_RULE)
    for index, (segment, ranking) in enumerate(zip(found, rankings, strict=True)):
        label, probability = ranking[0]
        kind = REQUESTS.get(label) if probability >= MIN_REQUEST_CONFIDENCE else None
        if kind == "erase" and not ERASE.search(segment.text):
            kind = None
        cued = cues.request_in(segment.text) if cues.requests else None
        if ERASE.search(segment.text) and (segment.asks or not TOLD_BEFORE.search(segment.text)):
            # The words of a request to delete, however the sentence reads ("She wants
            # everything we have on her wiped."), unless it tells of one made before.
            cued = "erase"
        kind = kind or cued
        if kind == "screening" and not segment.asks and cues.tells_done_before(segment.text):
            kind = None  # "I started a screening for my aunt, but ...": the story
        if kind == "screening" and not segment.asks and any(s.asks for s in found):
            # "My doctor says I'm a good candidate. What's the usual dose?": the story, unless
            # the questions ask nothing else ("... What do I need to do to find out?").
            told_screening = True
            continue
        if kind == "screening" and HOW_IT_HELPS.search(segment.text):
            add_topic("how_ivig_works", BY_RULE)  # "How would IVIG help him?": the way it works
            continue
        if kind == "screening" and not cued and _about_a_thing(segment.text):
            # "Is IVIG an option for it?" after a type asks which types IVIG is used for.
            add_topic(FOR_A_TYPE, BY_RULE)
            continue
        if kind and not cued and probability < CLEAR_REQUEST and segment.asks:
            # A faint request that the story makes a question of a topic: "I have IgA
            # deficiency. Can I still get IVIG?" asks about IgA deficiency.
            story = in_context.get(index)
            lead = story[1][0] if story else ("", 0.0)
            if lead[0].startswith(FAQ_PREFIX) and lead[1] > probability:
                kind = None
        if kind:
            if all(p.kind != kind for p in requests):
                requests.append(Part(kind, None, round(probability, 3)))
            if kind == "handoff":
                named = cues.subjects_in(segment.text) if cues.subjects else []
                subject = _subject_topic(ranking[1:])
                for topic in named or ([subject[0]] if subject else []):
                    add_topic(topic, probability)
            continue
        if not segment.asks or advice(segment.text):
            continue
        if cues.names_gap(segment.text) and not (
            label == "out_of_scope" and probability >= MIN_CONFIDENCE
        ):
            # "Is it okay to fly a few days after an infusion?": a gap, not the side effects.
            uncovered = gap_named = gap_cued = True
            continue
        if (
            cues.children
            and cues.children.search(segment.text)
            and IVIG_GIVEN.search(segment.text)
            and (
                NAMES_IVIG.search(segment.text)
                or (NAMES_IVIG.search(text) and IT.search(segment.text))
            )
        ):
            # "Do doctors ever use IVIG for children who have it?": whether IVIG is used for
            # juvenile myositis, and juvenile myositis's own facts.
            add_topic(FOR_A_TYPE, BY_RULE)
            add_topic(JUVENILE, BY_RULE)
            continue
        works_for = bool(cues.works_for and cues.works_for.search(segment.text))
        if works_for and types_in(segment.text):
            for topic in WORKS_FOR_TOPICS:  # "does IVIG work for IBM?": used for it, how well
                add_topic(topic, BY_RULE)
            secondary.add(WORKS_FOR_TOPICS[-1])  # one question: its second answer goes first
            continue
        if (
            works_for
            and NAMES_IVIG.search(text)
            and all(NAMES_IVIG.fullmatch(m.group()) for m in SUBJECT_WORDS.finditer(segment.text))
            and not HELPS_WITH.search(segment.text)  # "does it help with the headaches?"
            and not HOW_IT_WORKS.search(segment.text)  # "how does IVIG even work?": the way
        ):
            add_topic(WORKS_FOR_TOPICS[-1], BY_RULE)  # "... IVIG ... Has it shown any benefit?"
            continue
        if cues.asks_made_of(segment.text) and NAMES_IVIG.search(text):
            add_topic("what_is_ivig", BY_RULE)  # "... wants him to try IVIG. What is it made from?"
            continue
        if cues.asks_definition(segment.text) and named_types:
            told = " ".join(s.text for s in found[:index])
            # "My wife has necrotizing myopathy. What is that?" asks about the type; "My doctor
            # keeps mentioning IVIG for my dermatomyositis. What is it?" about IVIG, since the
            # type named last is the person's own.
            add_topic("what_is_ivig" if _points_at_ivig(told) else named_types[-1], BY_RULE)
            continue
        if compares and COMPARISON.search(segment.text):
            continue  # the comparison is answered by both its sides
        if USED_FOR.search(segment.text) and _about_a_thing(segment.text):
            add_topic(FOR_A_TYPE, BY_RULE)  # "Is IVIG used for both of them?"
            continue
        if label == "out_of_scope" and (probability >= MIN_CONFIDENCE or index in apart):
            # About something else: the story before it does not change that, nor does a word
            # of ours in an aside set apart ("Totally unrelated, but ... after my appointment?").
            off_topic = True
            continue
        if index in in_context and ABOUT_THE_STORY.search(segment.text):
            # "Got hives during my last infusion. Is that common?": how common the thing told
            # is, not how common myositis is (unless the story only names a type).
            told = _told_topic(in_context[index][1])
            if told:
                add_topic(*told)
                continue
        topic = _topic_of_question(segment.text, ranking)
        # A gap that names its own type ("how long do people with IBM live?") gets nothing
        # from a story about that type; "Can I still get IVIG?" after IgA deficiency does.
        named_gap = _far_likelier_gap(ranking) and bool(types_in(segment.text))
        if topic is None and index in in_context and not (_clearly_uncovered(ranking) or named_gap):
            # Read with its story; but when even with the story the content lacks the answer,
            # the story's words alone do not put it on the subject: a story about IVIG does not
            # make "Is his blood pressure medicine safe?" a question about IVIG.
            context_text, context_ranking = in_context[index]
            if context_ranking[0][0] == "ask_not_covered":
                context_text = segment.text
            topic = _topic_of_question(context_text, context_ranking) or _symptom_story(
                context_ranking
            )
        if topic and index in in_context and REFERS_BACK.search(segment.text):
            second = _second_topic(in_context[index][1], topic[0])
            if second:
                add_topic(*topic)
                topic = second
        if topic and any(p.topic == topic[0] for p in topics):
            # "How much would I get, and how often would I come in for it?": read with what came
            # before, the second question repeats the first; its own words lean elsewhere.
            own, chance = alone[index][0]
            if (
                own.startswith(FAQ_PREFIX)
                and own in (label for label, _ in ranking[:2])  # both readings weigh it
                and chance >= MIN_ON_SUBJECT
                and all(p.topic != own[len(FAQ_PREFIX) :] for p in topics)
            ):
                topic = (own[len(FAQ_PREFIX) :], chance)
        if topic:
            add_topic(*topic)
            if (
                cues.children
                and topic[0] in cues.for_children
                and cues.children.search(segment.text)
            ):
                add_topic(JUVENILE, topic[1])  # "Can kids get myositis too?": JM's facts too
        elif cues.about_something_else(segment.text) and not REFERS_BACK.search(segment.text):
            elsewhere = True  # "do you know a good plumber?": nothing the content could lack
        elif label == "ask_not_covered" or _is_question(segment):
            uncovered = uncovered or label not in NOT_QUESTIONS
            gap_named = gap_named or cues.names_health_or_subject(segment.text)
    # "I think I might qualify. What do I need to do to find out?" asks how to find out; a gap
    # beside something else entirely ("Can he keep taking turmeric? And the weather?") does not.
    if told_screening and not requests and not topics and not (uncovered and off_topic):
        requests.append(Part("screening", None, MIN_REQUEST_CONFIDENCE))
        uncovered = off_topic = elsewhere = False  # the question is how to find out
    if any(p.kind == "handoff" for p in requests) and cues.subjects:
        # "Can someone call me back? I want help with the copay and home infusion."
        for segment in found:
            for topic in cues.subjects_in(segment.text):
                add_topic(topic, MIN_CONFIDENCE)
    if len(found) >= 2 and elsewhere and not requests and not topics and not gap_named:
        # "Who do I contact about my property tax bill? I told her this is a pharmacy but she
        # asks anyway.": the only other question names nothing of health either.
        off_topic, uncovered = True, False
    if len(found) >= 2 and not requests and not topics and cues.about_something_else(text):
        # A story and a question about something else entirely: "Who would I talk to about
        # that?" after a car insurance claim is not a question for the IVIG team either.
        off_topic, uncovered = True, False
    # One sentence about something else, alone, is left to the classifiers (a follow-up such as
    # "ok what about saturday" names no subject of its own); beside other parts, it is an aside.
    off_topic = off_topic or (elsewhere and bool(requests or topics))
    if len(topics) > MAX_TOPICS:
        topics.sort(key=lambda p: p.topic in secondary)  # stable: the order asked otherwise
    parts = [*requests, *topics[:MAX_TOPICS]]
    # A question about something else beside questions answered ("do you know a plumber?") is
    # named as outside what the assistant does; a question the content lacks, as a gap for a
    # specialist. Alone, something else is simply out of scope (the plan's intent).
    if uncovered and len(topics) < MAX_TOPICS:
        parts.append(Part("not_covered", None, BY_RULE if gap_cued else 0.0))
    if off_topic and parts:  # beside a gap in the content too, after it
        parts.append(Part("out_of_scope"))
    return Plan(
        tuple(parts),
        tuple(p.topic for p in topics[MAX_TOPICS:] if p.topic),
        {**(facts or {}), **({"person": person} if (person := cues.person_in(text)) else {})},
        len(found),
        off_topic and not parts,
    )


# "for it", "for that one": IVIG asked about for a thing (a type), not for a person.
FOR_A_THING = re.compile(
    r"\b(?:for|with|in|to treat)\s+(?:it|that|this|those|either|both|each|that one|this one|"
    r"th(?:at|is|ese|ose) (?:types?|kinds?|forms?|ones))\b",
    re.I,
)
A_PERSON = re.compile(
    r"\b(?:me|my|i|i'm|im|him|his|her|she|he|us|we|our|mom|dad|mother|father|son|daughter|"
    r"husband|wife|child|kid)\b",
    re.I,
)


def _about_a_thing(text: str) -> bool:
    return bool(FOR_A_THING.search(text)) and not A_PERSON.search(text)


# A type the person already has ("my dermatomyositis", "her inclusion body myositis").
OWN_TYPE = re.compile(
    r"\b(?:my|his|her|their|our|your)\s+(?:(?:sporadic|juvenile|inclusion|body|necroti[sz]ing|"
    r"immune[- ]mediated|autoimmune)\s+)*$",
    re.I,
)


def _points_at_ivig(told: str) -> bool:
    """Whether "it" or "that" in a question after `told` means IVIG: IVIG was named last, or
    after it only a type the person already has."""
    if not NAMES_IVIG.search(told):
        return False
    last = None
    for match in SUBJECT_WORDS.finditer(told):
        own = bool(OWN_TYPE.search(told[: match.start()]))
        if NAMES_IVIG.fullmatch(match.group()) or not own:
            last = match
    return bool(last and NAMES_IVIG.fullmatch(last.group()))


CONTEXT_WEIGHT = 0.5
ABOUT_THE_STORY = re.compile(
    r"\b(?:is|are|was|does|do)\s+(?:that|this|it|these|those)\s+(?:\w+\s+)?"
    r"(?:common|normal|usual|rare|typical|expected|happen a lot|happen often)\b",
    re.I,
)


def _told_topic(ranking: list[tuple[str, float]]) -> tuple[str, float] | None:
    """The topic of what the story told, read with the question: never how common myositis
    is, and none when the story is only a diagnosis (then "is that common?" asks just that)."""
    for label, probability in ranking:
        topic = label[len(FAQ_PREFIX) :]
        if not label.startswith(FAQ_PREFIX) or topic == "how_common":
            continue
        if topic in TYPE_TOPICS or topic == "what_is_myositis" or probability < MIN_ON_SUBJECT:
            return None
        return topic, probability
    return None


# A question its writer sets apart from the story: "Unrelated, but did the Cubs win?"
SET_APART = re.compile(
    r"^\W*(?:(?:totally |completely |also )?(?:unrelated|off[- ]topic|random)\b"
    r"|on an? (?:lighter|different|separate|side|unrelated) note\b|(?:on a )?side note\b"
    r"|(?:a |one )?(?:totally |completely )?(?:separate|different|unrelated|random) "
    r"(?:question|thing)\b|(?:btw|by the way),? (?:unrelated|random|off topic)\b)",
    re.I,
)


def _set_apart(found: Sequence[Segment]) -> set[int]:
    """The questions set apart from what was told before them, by their own first words or by
    a lead-in alone before them ("On a lighter note, ...")."""
    apart = set()
    for i, segment in enumerate(found):
        lead = found[i - 1] if i else None
        led_in = lead is not None and not lead.asks and SET_APART.match(lead.text)
        led_in = led_in and len(lead.text.split()) <= 6
        if segment.asks and (SET_APART.match(segment.text) or led_in):
            apart.add(i)
    return apart


def _in_context(
    found: Sequence[Segment], rank: Ranker, apart: set[int]
) -> dict[int, tuple[str, list]]:
    """Each question read with the story told before it: "My son has IgA deficiency. Is that
    a problem?" is about IgA deficiency, though the question alone names nothing. A question
    set apart from the story ("Unrelated, but ...") is read alone."""
    asks = [i for i, segment in enumerate(found) if segment.asks and i > 0 and i not in apart]
    told = {i: " ".join(s.text for s in found[:i] if not s.asks) for i in asks}
    asks = [i for i in asks if told[i]]
    if not asks:
        return {}
    texts = [f"{found[i].text} {told[i]}" for i in asks]
    return {i: (text, ranking) for i, text, ranking in zip(asks, texts, rank(texts), strict=True)}


# A question this sure of its topic on its own words keeps it, whatever subject it borrows.
CONFIDENT_ALONE = 0.5


def _rankings(
    found: Sequence[Segment], rank: Ranker, apart: set[int]
) -> tuple[list[list[tuple[str, float]]], list[list[tuple[str, float]]]]:
    """Each sentence's labels, read with the subject it borrows, unless its own words were
    already sure of a topic ("What causes it?" after "I have dermatomyositis" asks for the
    causes, not for dermatomyositis); and each sentence's labels alone."""
    borrowed = _with_subject(found, apart)
    texts = [s.text for s in found]
    if borrowed == texts:
        ranked = rank(texts)
        return ranked, ranked
    chosen = []
    alone = rank(texts)
    for own, lent in zip(alone, rank(borrowed), strict=True):
        label, probability = own[0]
        sure = label.startswith(FAQ_PREFIX) and probability >= CONFIDENT_ALONE
        # A borrowed type's name makes any question look like one about that type ("will I
        # keep working shifts? dermatomyositis"): that reading says nothing the story did not.
        echo = lent is not own and lent[0][0].removeprefix(FAQ_PREFIX) in TYPE_TOPICS
        # A borrowed subject that leaves the reading less sure did not help ("How often do kids
        # get it?" after "... IVIG for juvenile myositis": the question was clearer alone).
        blurred = label.startswith(FAQ_PREFIX) and probability > lent[0][1]
        chosen.append(own if (sure and lent[0][0] != label) or echo or blurred else lent)
    return chosen, alone


def _with_subject(found: Sequence[Segment], apart: set[int]) -> list[str]:
    """Each sentence to classify; a question without its subject borrows the last one named
    before it ("My son starts IVIG soon. What's it made of?" -> "... it made of? ivig")."""
    texts, subject = [], ""
    for index, segment in enumerate(found):
        named = SUBJECT_WORDS.findall(segment.text)
        if segment.asks and not named and subject and index not in apart:
            texts.append(f"{segment.text} {subject}")
        else:
            texts.append(segment.text)
        if named:
            subject = named[-1].lower()
    return texts


SECOND_TOPIC = 0.20
# A question that points back at its story ("reactions like that", "is this related?").
REFERS_BACK = re.compile(
    r"\b(?:that|this|those|these)\b"
    # "this year", "this weekend": a time, not a thing said before.
    r"(?!\s+(?:year|yr|week|weekend|month|morning|afternoon|evening|night|season|time|summer|"
    r"winter|spring|fall)s?\b)|\b(?:it|its|they|them|such)\b",
    re.I,
)


def _second_topic(ranking: list[tuple[str, float]], first: str) -> tuple[str, float] | None:
    """A question that ties its story to a second topic ("What does IgA deficiency have to do
    with reactions like that?" after an allergic reaction): that topic is answered too."""
    for label, probability in ranking[:2]:
        topic = label.removeprefix(FAQ_PREFIX)
        if topic in TYPE_TOPICS:
            continue  # the story named the type; the question asks something about it
        if label.startswith(FAQ_PREFIX) and topic != first and probability >= SECOND_TOPIC:
            return topic, probability
    return None


def _symptom_story(ranking: list[tuple[str, float]]) -> tuple[str, float] | None:
    """A question about signs the story described ("My thighs are sore all the time. Is that
    part of it?"): the symptoms answer."""
    label, probability = ranking[0]
    if label == SYMPTOM_STORY and probability >= MIN_CONFIDENCE:
        return "symptoms", probability
    return None


def _clearly_uncovered(ranking: list[tuple[str, float]]) -> bool:
    label, probability = ranking[0]
    return label == "ask_not_covered" and probability >= CLEARLY_NOT_COVERED


def _far_likelier_gap(ranking: list[tuple[str, float]]) -> bool:
    """A gap far likelier than any topic: the question alone gets no topic from its words."""
    label, probability = ranking[0]
    if label != "ask_not_covered":
        return False
    best_topic = max((p for lab, p in ranking if lab.startswith(FAQ_PREFIX)), default=0.0)
    return probability >= GAP_MARGIN * best_topic


# A question put as a statement: "She also asks whether she can keep working out."
ASKS_WHETHER = re.compile(r"\b(?:whether|if)\b", re.I)


def _is_question(segment: Segment) -> bool:
    text = segment.text.rstrip()
    return text.endswith("?") or (segment.asks and bool(ASKS_WHETHER.search(text)))
