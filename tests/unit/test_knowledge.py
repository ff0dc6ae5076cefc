"""The curated knowledge base: coverage, facts, sources, plain language and search."""

import re
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.core.knowledge import KnowledgeBase, knowledge_base
from bot.tools.content_check import MAX_GRADE, grade

ARTICLE = (
    Path(__file__).resolve().parents[3] / "shared" / "content" / "ivig-and-myositis-article.txt"
)

REQUIRED_TOPICS = {
    "what_is_myositis", "how_common", "who_gets_it", "symptoms", "causes", "types",
    "polymyositis", "dermatomyositis", "inclusion_body_myositis", "necrotizing_myopathy",
    "juvenile_myositis", "cure_and_first_line", "what_is_ivig", "how_ivig_works",
    "when_ivig_used", "ivig_for_which_types", "ivig_dose", "ivig_frequency", "side_effects",
    "infusion_reaction", "iga_deficiency", "ivig_success", "home_infusion", "copay_help",
    "hours", "disclaimer",
}  # fmt: skip


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return knowledge_base()


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def test_every_required_topic_has_an_answer(kb):
    assert set(kb.topics) >= REQUIRED_TOPICS


def test_every_reference_number_exists_in_the_reference_list(kb):
    for topic in kb.topics.values():
        assert set(topic.refs) <= set(kb.references), topic.key


def test_medical_answers_rest_on_numbered_references(kb):
    program_topics = {"home_infusion", "copay_help", "hours", "disclaimer"}
    for key, topic in kb.topics.items():
        if key not in program_topics:
            assert topic.refs, f"{key} states medical facts without a reference"


def test_the_source_line_names_the_article_and_reference_numbers(kb):
    answer = kb.answer("ivig_dose")
    assert (
        answer.source_line
        == "Source: IVIG and Myositis (AmeriPharma Specialty Care), references 1, 9."
    )


def test_dose_answer_gives_induction_and_maintenance_and_defers_to_the_prescriber(kb):
    text = kb.answer("ivig_dose").text
    assert "2 g of IVIG per kg" in text and "2 to 5 days" in text
    assert "1 g per kg" in text and "once a month" in text
    assert "prescriber works out the amount" in text


def test_a_team_sentence_gets_its_label_beside_the_articles_references(kb):
    answer = kb.answer("infusion_reaction")
    assert "call 911" in answer.text.lower()
    assert answer.source_line == (
        "Source: IVIG and Myositis (AmeriPharma Specialty Care), references 8, 1. "
        "General safety guidance from our team, not from the article: when to call 911."
    )


def test_an_answer_of_program_settings_is_labelled_as_such_not_as_the_article(kb):
    line = kb.answer("hours").source_line
    assert line.startswith("Source: Program information from our team, not from the article")
    assert "references" not in line


def test_the_sibm_study_is_shown_as_the_articles_without_a_listed_reference(kb):
    answer = kb.answer("ivig_success")
    assert kb.topics["ivig_success"].refs == (9,)
    assert "From the article, not its reference list: the sIBM study." in answer.source_line


def test_the_seek_care_advice_has_its_own_label(kb):
    assert kb.appended_label("seek_care").startswith("General safety guidance from our team")


def test_how_common_gives_the_article_figures(kb):
    text = kb.answer("how_common").text
    assert "7,000" in text and "50,000" in text


def test_who_gets_it_gives_the_age_range(kb):
    assert "30 to 60" in kb.answer("who_gets_it").text


def test_hours_answer_is_filled_from_program_data(kb):
    text = kb.answer("hours").text
    assert "Monday to Friday, 9:00 AM to 10:00 PM" in text
    assert "closed Saturday and Sunday" in text
    assert "{" not in text


def test_no_answer_keeps_an_unfilled_placeholder(kb):
    for key in kb.topics:
        assert "{" not in kb.answer(key).text, key


def test_success_answer_cites_the_nejm_trial_and_the_sibm_study(kb):
    topic = kb.topics["ivig_success"]
    assert 9 in topic.refs
    assert "suggests" in kb.answer("ivig_success").text  # the article's qualifier
    assert "New England Journal of Medicine" in kb.answer("ivig_success").text
    assert "sIBM" in kb.answer("ivig_success").text


def test_answers_are_short(kb):
    for key in kb.topics:
        assert len(kb.answer(key).text) <= 480, key


def test_every_answer_reads_at_grade_8_or_below(kb):
    grades = {key: grade(kb.answer(key).text).grade for key in kb.topics}
    assert {key: g for key, g in grades.items() if g > MAX_GRADE} == {}


@pytest.mark.parametrize(
    ("topic", "qualifier"),
    [
        ("when_ivig_used", "generally safe"),
        ("side_effects", "generally safe"),
        ("ivig_frequency", "Some people"),
        ("symptoms", "can come on slowly"),
        ("necrotizing_myopathy", "less inflammation"),
        ("iga_deficiency", "Infusion reactions happen mostly"),
    ],
)
def test_the_articles_qualifiers_are_kept(kb, topic, qualifier):
    assert qualifier in kb.answer(topic).text


@pytest.mark.skipif(not ARTICLE.exists(), reason="shared/ article not beside the clone")
def test_answers_use_our_own_words_not_the_articles_sentences(kb):
    article = words(ARTICLE.read_text(encoding="utf-8"))
    run = 8
    article_runs = {tuple(article[i : i + run]) for i in range(len(article) - run)}
    for key, topic in kb.topics.items():
        answer = words(topic.texts[None])
        copied = [
            answer[i : i + run]
            for i in range(len(answer) - run)
            if tuple(answer[i : i + run]) in article_runs
        ]
        assert not copied, f"{key} copies the article: {' '.join(copied[0])}"


def test_sources_of_a_topic_are_full_citations_with_links(kb):
    refs = kb.sources("ivig_dose")
    assert [r.number for r in refs] == [1, 9]
    assert all(r.url.startswith("https://") for r in refs)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("grams per kilogram", "ivig_dose"),
        ("benadryl tylenol before infusion", "infusion_reaction"),
        ("immunoglobulin A deficiency", "iga_deficiency"),
        ("rash on the eyelids and weak muscles later", "dermatomyositis"),
        ("nurse at my house", "home_infusion"),
    ],
)
def test_search_finds_the_topic_from_its_words(kb, query, expected):
    assert expected in [hit.topic.key for hit in kb.search(query)]


def test_search_returns_nothing_for_words_the_content_lacks(kb):
    assert kb.search("zebra quantum saxophone") == []


def test_a_channel_variant_replaces_the_default_text():
    base = knowledge_base()
    topic = base.topics["hours"]
    variant = type(topic)(
        topic.key, topic.title, topic.refs, topic.section, {None: "long", "twilio": "short"}
    )
    assert variant.text_for("twilio") == "short"
    assert variant.text_for("rest") == "long"


def test_every_topic_has_a_conversation_test(kb):
    stories = yaml.safe_load(
        (PROJECT_ROOT / "tests" / "conversations" / "test_faq_topics.yml").read_text()
    )["stories"]
    tested = {story["steps"][0]["intent"].split("/", 1)[1] for story in stories}
    assert tested == set(kb.topics)


def test_every_topic_has_at_least_five_held_out_phrasings(kb):
    nlu = yaml.safe_load((PROJECT_ROOT / "tests" / "nlu" / "heldout.yml").read_text())["nlu"]
    counts = {
        block["intent"].split("/", 1)[1]: len(block["examples"].strip().splitlines())
        for block in nlu
        if block["intent"].startswith("faq/")
    }
    assert {key: counts.get(key, 0) for key in kb.topics if counts.get(key, 0) < 5} == {}


def test_a_caregiver_gets_the_answer_worded_for_the_person_they_ask_about(kb):
    """ "My mom has polymyositis. How often would she need it?" is answered about her."""
    for_mother = kb.answer("ivig_frequency", None, "your mother").text
    assert "how your mother responds" in for_mother and "you respond" not in for_mother
    assert "your mother's health" in kb.answer("ivig_dose", None, "your mother").text
    assert "how you respond" in kb.answer("ivig_frequency").text  # for themselves, as before
    # A topic with no wording for another person keeps its one wording.
    assert kb.answer("what_is_ivig", None, "your mother").text == kb.answer("what_is_ivig").text


def test_a_worded_for_another_answer_keeps_its_facts_and_references(kb):
    for key, topic in kb.topics.items():
        if topic.for_other:
            words = set(re.findall(r"\d+", topic.texts[None]))
            assert words == set(re.findall(r"\d+", topic.for_other)), key  # same numbers
