"""Red flags: recognising an emergency in any message, whatever the intent classifier thinks.

Deterministic first: rules kept as data (data/safety/red_flags.yml) find red-flag *concepts*
(a body system or situation together with a sign of trouble) in each clause of a message, in
any word order, for any person, after misspellings are corrected against the rules' own words.
The clause's context then says whether it is a report of now (an emergency), something over,
a what-if, a general question, a long-standing symptom, a negation or a figure of speech.
A small statistical classifier trained on written examples (data/safety/classifier_examples.yml)
gives a second opinion, so wording the rules never saw can still raise the caution net.

Levels, most urgent first:
- ``emergency``: guidance (911, or 988 for self-harm) before anything else;
- ``caution``: a red-flag concept that is neither clearly an emergency nor clearly something
  else gets "If this is happening now, call 911" before the answer;
- ``about``: a general question about a red-flag symptom gets its answer plus when to seek care.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from bot import DATA_DIR
from bot.core.ngram_model import NgramModel
from bot.core.yamlio import load_yaml

RED_FLAGS_FILE = DATA_DIR / "safety" / "red_flags.yml"
EXAMPLES_FILE = DATA_DIR / "safety" / "classifier_examples.yml"
SELF_HARM = "self_harm"
STATISTICAL = "unrecognised_wording"

EMERGENCY, CAUTION, ABOUT = "emergency", "caution", "about"
_RANK = {EMERGENCY: 3, CAUTION: 2, ABOUT: 1}

# The classifier's probability of an emergency above which it raises the caution net where the
# rules found nothing (and the message holds a word of `net_words`), and where the rules found
# only a question about a red flag. It never raises a full alarm on its own. Measured on the
# development sets: at 0.70 it added one emergency in 182 and put the caution net on 9% of
# realistic calm stories (tests/understanding/dev); at 0.90, none missed and 2.4%.
CAUTION_PROBABILITY = 0.90
UPGRADE_PROBABILITY = 0.95

QUESTION_START = re.compile(
    r"^(?:is|are|can|could|does|do|will|would|should|what|whats|when|how|why|which|may|might|"
    r"any|anyone|has|have)\b"
)
PERSONAL = re.compile(
    r"\b(?:i|im|ive|me|my|we|our|us|he|hes|him|his|she|shes|her|they|theyre|their|"
    r"mom|mum|dad|son|daughter|husband|wife|child|baby|caller|pt|patient)\b"
)
PART_BREAK = re.compile(r"\s*(?:;|\s-+\s|\u2014|\n)\s*")
CLAUSE_BREAK = re.compile(r"\b(?:but|though|however|although|and now)\b")
WORD = re.compile(r"[a-z0-9]+")
# A negation between the words of a concept denies it ("her lips arent swollen").
NEGATION_STOPS = frozenset({"and", "so", "because", "since", "then", "while", "when"})
NEGATIONS_INSIDE = frozenset({"arent", "isnt", "wasnt", "werent", "doesnt", "didnt", "never"})


@dataclass(frozen=True)
class RedFlag:
    """What the detector found: its level, its category and the words that raised it."""

    category: str
    phrase: str
    level: str = EMERGENCY

    @property
    def is_emergency(self) -> bool:
        return self.level == EMERGENCY

    @property
    def is_caution(self) -> bool:
        return self.level == CAUTION

    @property
    def is_question_about(self) -> bool:
        return self.level == ABOUT

    @property
    def is_self_harm(self) -> bool:
        return self.category == SELF_HARM

    def as_dict(self) -> dict[str, Any]:
        return {"level": self.level, "category": self.category, "self_harm": self.is_self_harm}


@dataclass(frozen=True)
class _Signal:
    category: str
    strong: bool
    phrase: re.Pattern[str] | None = None
    near: tuple[frozenset[str], ...] = ()
    window: int = 4


@dataclass(frozen=True)
class _Rules:
    signals: tuple[_Signal, ...]
    vocabulary: frozenset[str]
    present: re.Pattern[str]
    past: re.Pattern[str]
    recent: re.Pattern[str]
    hypothetical: re.Pattern[str]
    chronic: re.Pattern[str]
    figurative: tuple[re.Pattern[str], ...]
    negation: re.Pattern[str]
    net_words: frozenset[str] = frozenset()


def _words_pattern(words: Iterable[Any]) -> re.Pattern[str]:
    alternatives = sorted(map(_word, words), key=len, reverse=True)
    return (
        re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
        if alternatives
        else (re.compile(r"(?!x)x"))
    )


def _word(item: Any) -> str:
    if not isinstance(item, str):  # YAML reads a bare no, yes or on as a boolean
        raise ValueError(f"{RED_FLAGS_FILE.name}: quote the word {item!r}")
    return item


def _expand(items: list[Any], groups: dict[str, list[str]]) -> frozenset[str]:
    words: set[str] = set()
    for item in map(_word, items):
        words.update(groups[item[1:]] if item.startswith("$") else [item])
    return frozenset(str(w) for w in words)


@lru_cache(maxsize=4)
def _rules(path: Path = RED_FLAGS_FILE) -> _Rules:
    raw = load_yaml(path)
    groups = {name: [_word(w) for w in words] for name, words in raw["groups"].items()}
    signals: list[_Signal] = []
    vocabulary: set[str] = {w for words in groups.values() for w in words}
    vocabulary.update(_word(w) for w in raw.get("vocabulary") or [])
    for category, specs in raw["categories"].items():
        for spec in specs:
            strong = spec.get("strength", "strong") == "strong"
            if "phrase" in spec:
                pattern = re.compile(rf"(?<!\w){spec['phrase']}(?!\w)")
                vocabulary.update(w for w in WORD.findall(spec["phrase"]) if len(w) > 3)
                signals.append(_Signal(category, strong, phrase=pattern))
            else:
                near = tuple(_expand(words, groups) for words in spec["near"])
                vocabulary.update(w for words in near for w in words)
                signals.append(_Signal(category, strong, near=near, window=spec.get("window", 4)))
    context = raw["context"]
    return _Rules(
        signals=tuple(signals),
        vocabulary=frozenset(w for w in vocabulary if w.isalpha()),
        present=_words_pattern(context["present"]),
        past=_words_pattern(context["past"]),
        recent=_words_pattern(context["recent"]),
        hypothetical=_words_pattern(context["hypothetical"]),
        chronic=_words_pattern(context["chronic"]),
        figurative=tuple(re.compile(rf"(?<!\w){p}(?!\w)") for p in context["figurative"]),
        negation=_words_pattern(context["negation"]),
        net_words=frozenset(_word(w) for w in raw.get("net_words") or []),
    )


@lru_cache(maxsize=1)
def seek_care_text() -> str:
    return str(load_yaml(RED_FLAGS_FILE)["seek_care"]).strip()


# ---------------------------------------------------------------- text
def normalize(text: str) -> str:
    """Lower case, apostrophes dropped ("can't" -> "cant"), punctuation as spaces."""
    text = text.lower().replace("\u2019", "'").replace("'", "")
    text = re.sub(r"[^\w\s?]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


@lru_cache(maxsize=512)
def sentences(text: str) -> tuple[str, ...]:
    """The message's sentences (pysbd), normalised; a question keeps its mark."""
    result: list[str] = []
    for sentence in _segmenter().segment(text or ""):
        for part in PART_BREAK.split(sentence):
            clean = normalize(part)
            if clean:
                result.append(clean + (" ?" if part.rstrip().endswith("?") else ""))
    return tuple(result)


def clause_around(sentence: str, start: int, end: int) -> str:
    """The part of the sentence, between clause breaks ("but", "and now"), that holds a
    signal: its context words are the ones that count."""
    begin, finish = 0, len(sentence)
    for match in CLAUSE_BREAK.finditer(sentence):
        if match.end() <= start:
            begin = match.end()
        elif match.start() >= end:
            finish = match.start()
            break
    return sentence[begin:finish].strip()


@lru_cache(maxsize=1)
def _lemmas() -> dict[str, str]:
    import spacy_lookups_data
    import srsly

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    return srsly.read_gzip_json(path)


@lru_cache(maxsize=8192)
def _correct(word: str) -> str:
    """A word unknown to English and to the rules, corrected to the nearest rule word."""
    from rapidfuzz import fuzz, process

    from bot.core.vocabulary import english_words

    rules = _rules()
    if len(word) < 4 or word in rules.vocabulary or word in english_words():
        return word
    best = process.extractOne(word, rules.vocabulary, scorer=fuzz.ratio, score_cutoff=74)
    return best[0] if best else word


def corrected(clause: str) -> str:
    return " ".join(_correct(w) if w.isalpha() else w for w in clause.split())


# ---------------------------------------------------------------- rules
@dataclass(frozen=True)
class _Hit:
    signal: _Signal
    start: int
    end: int
    text: str


def _near_hits(
    signal: _Signal, words: list[str], lemmas: list[str]
) -> Iterable[tuple[int, int, frozenset[int]]]:
    def positions(options: frozenset[str]) -> list[int]:
        return [
            i
            for i, (w, lem) in enumerate(zip(words, lemmas, strict=True))
            if w in options or lem in options
        ]

    found = [positions(options) for options in signal.near]
    if any(not p for p in found):
        return
    for anchor in found[0]:
        chosen = [anchor]
        for later in found[1:]:
            close = [p for p in later if p not in chosen and abs(p - chosen[-1]) <= signal.window]
            if not close:
                break
            chosen.append(min(close, key=lambda p: abs(p - chosen[-1])))
        else:
            yield min(chosen), max(chosen), frozenset(chosen)


def _hits(clause: str, rules: _Rules) -> list[_Hit]:
    words = clause.split()
    lemmas = [_lemmas().get(w, w) for w in words]
    offsets, position = [], 0
    for w in words:
        offsets.append(position)
        position += len(w) + 1
    hits: list[_Hit] = []
    for signal in rules.signals:
        if signal.phrase is not None:
            for match in signal.phrase.finditer(clause):
                hits.append(_Hit(signal, match.start(), match.end(), match.group()))
        else:
            for first, last, used in _near_hits(signal, words, lemmas):
                between = {words[i] for i in range(first, last + 1) if i not in used}
                if between & NEGATIONS_INSIDE:  # "my lips arent swollen"
                    continue
                start, end = offsets[first], offsets[last] + len(words[last])
                hits.append(_Hit(signal, start, end, clause[start:end]))
    return hits


def _is_figurative(hit: _Hit, clause: str, rules: _Rules) -> bool:
    for pattern in rules.figurative:
        for match in pattern.finditer(clause):
            if match.start() < hit.end and hit.start < match.end():
                return True
    return False


def _is_negated(hit: _Hit, clause: str, rules: _Rules) -> bool:
    """A negation in the few words before the signal ("no chest pain or trouble breathing");
    one inside the signal ("not breathing", "no air") is the trouble itself."""
    words = clause[: hit.start].replace("no one", "nobody").split()
    cut = max((i + 1 for i, w in enumerate(words) if w in NEGATION_STOPS), default=0)
    before = " ".join(words[cut:][-6:])
    return bool(rules.negation.search(before))


def _general_question(clause: str) -> bool:
    is_question = clause.endswith("?") or bool(QUESTION_START.match(clause))
    return is_question and not PERSONAL.search(clause)


def _level(hit: _Hit, clause: str, rules: _Rules) -> str | None:
    """What one signal means in its clause: emergency, caution, about, or nothing.

    Thoughts of self-harm are never dropped for their wording: said in the past, denied or
    asked about, they still get the caution net (988), unless the signal is a weak one
    ("overdose" in a general question about medicines).
    """
    harm = hit.signal.category == SELF_HARM
    if _is_figurative(hit, clause, rules):
        return None
    now = bool(rules.present.search(clause))
    what_if = bool(rules.hypothetical.search(clause)) or _general_question(clause)
    if _is_negated(hit, clause, rules):
        return CAUTION if harm and hit.signal.strong else None
    if harm:
        if not hit.signal.strong:
            return None if what_if else CAUTION
        return CAUTION if (rules.past.search(clause) and not now) else EMERGENCY
    if what_if:
        recent = bool(rules.recent.search(clause)) and bool(PERSONAL.search(clause))
        return CAUTION if now or recent else ABOUT  # "my chest hurt last night, is that normal?"
    if not now:
        if rules.past.search(clause) or rules.chronic.search(clause):
            return ABOUT
        if rules.recent.search(clause):
            return CAUTION
    return EMERGENCY if hit.signal.strong else CAUTION


def _rule_flag(text: str, rules: _Rules) -> RedFlag | None:
    best: RedFlag | None = None
    for sentence in sentences(text):
        fixed = corrected(sentence)
        for hit in _hits(fixed, rules):
            clause = clause_around(fixed, hit.start, hit.end)
            offset = fixed.find(clause)
            local = _Hit(hit.signal, hit.start - offset, hit.end - offset, hit.text)
            level = _level(local, clause, rules)
            if level is None:
                continue
            flag = RedFlag(hit.signal.category, hit.text, level)
            if best is None or _rank(flag) > _rank(best):
                best = flag
    return best


def _rank(flag: RedFlag) -> tuple[int, int]:
    return _RANK[flag.level], flag.is_self_harm


# ---------------------------------------------------------------- classifier
@lru_cache(maxsize=2)
def _classifier(path: Path = EXAMPLES_FILE) -> NgramModel:
    """Word and character n-grams into a logistic regression; fitted once, in a second."""
    texts, labels = [], []
    for label, items in load_yaml(path).items():
        for item in items:
            texts.append(corrected(normalize(str(item))))
            labels.append(label)
    return NgramModel.fit(texts, labels, C=8.0, max_iter=2000, class_weight="balanced")


def classifier_opinion(text: str) -> tuple[float, bool]:
    """The highest probability of an emergency over the message's clauses, and whether the
    most likely kind is self-harm."""
    parts = [corrected(s) for s in sentences(text)] or [normalize(text)]
    model = _classifier()
    classes = model.classes
    best, self_harm = 0.0, False
    for row in map(model.probabilities, parts):
        emergency = row[classes.index("emergency")]
        harm = row[classes.index(SELF_HARM)]
        if emergency + harm > best:
            best, self_harm = float(emergency + harm), harm > emergency
    return best, self_harm


# ---------------------------------------------------------------- verdict
def _mentions_net_word(text: str, rules: _Rules) -> bool:
    lemmas = _lemmas()
    words = [w for s in sentences(text) for w in corrected(s).split()]
    return any(w in rules.net_words or lemmas.get(w, w) in rules.net_words for w in words)


def warm_up() -> None:
    """Load the rules, the lemma and word tables and fit the classifier now, so that the
    first message of a new process is not the one that waits for them."""
    _rules()
    detect("warm up: my chest hurts")


@lru_cache(maxsize=256)
def detect(text: str, path: Path = RED_FLAGS_FILE) -> RedFlag | None:
    """The most urgent red flag in `text`: emergency, caution, a question about one, or None.

    Cached: the input policy and the NLU graph both ask about the same message, and the
    answer depends only on the text and the (loaded once) rules."""
    if not normalize(text or ""):
        return None
    rules = _rules(path)
    flag = _rule_flag(text, rules)
    if flag is not None and flag.is_emergency:
        return flag
    probability, self_harm = classifier_opinion(text)
    category = SELF_HARM if self_harm else (flag.category if flag else STATISTICAL)
    threshold = UPGRADE_PROBABILITY if flag is not None else CAUTION_PROBABILITY
    if flag is None and not _mentions_net_word(text, rules):
        return None
    if (flag is None or flag.is_question_about) and probability >= threshold:
        return RedFlag(category, flag.phrase if flag else "", CAUTION)
    return flag
