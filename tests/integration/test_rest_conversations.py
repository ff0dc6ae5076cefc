"""Conversations over the REST channel against the real servers."""

import re
import sqlite3
import tarfile
from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import knowledge_base

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
TOPIC_STORIES = Path(__file__).resolve().parents[1] / "conversations" / "test_faq_topics.yml"


def topic_questions() -> list[tuple[str, str]]:
    """(question, topic) of every topic conversation test, so both suites stay in step."""
    stories = yaml.safe_load(TOPIC_STORIES.read_text())["stories"]
    pairs = []
    for story in stories:
        user = story["steps"][0]
        text = ANNOTATION.sub(r"\1", user["user"].strip())
        pairs.append((text, user["intent"].split("/", 1)[1]))
    return pairs


def test_dose_question_gets_induction_and_maintenance_facts_with_their_source(stack, sender):
    (reply,) = stack.texts(sender, "how much ivig do they give for myositis")
    assert "2 g of IVIG per kg" in reply and "2 to 5 days" in reply
    assert "1 g per kg" in reply and "once a month" in reply
    assert "Your prescriber works out the amount" in reply
    assert "Source: IVIG and Myositis (AmeriPharma Specialty Care), references 1, 9." in reply


def test_a_team_sentence_is_labelled_apart_from_the_articles_references(stack, sender):
    (reply,) = stack.texts(sender, "what is an infusion reaction")
    assert "Call 911 right away if the face, lips, tongue or throat swell" in reply
    assert (
        "Source: IVIG and Myositis (AmeriPharma Specialty Care), references 8, 1. "
        "General safety guidance from our team, not from the article: when to call 911."
    ) in reply


@pytest.mark.parametrize(("question", "topic"), topic_questions())
def test_every_topic_question_gets_that_topics_answer(stack, sender, question, topic):
    (reply,) = stack.texts(sender, question)
    expected = knowledge_base().answer(topic)
    assert reply == f"{expected.text}\n\n{expected.source_line}"


def test_where_is_that_from_lists_the_full_references_of_the_last_answer(stack, sender):
    stack.send(sender, "what is the success rate of ivig")
    (reply,) = stack.texts(sender, "where is that from?")
    assert "[9] Aggarwal, R., et al. (2022). Trial of intravenous immune globulin" in reply
    assert "https://doi.org/10.1056/nejmoa2117912" in reply


def test_where_is_that_from_names_the_teams_sentences_apart_from_the_references(stack, sender):
    stack.send(sender, "what is an infusion reaction")
    (reply,) = stack.texts(sender, "where is that from?")
    assert "[8] Ohad, M." in reply and "[1] Patwardhan, A." in reply
    assert reply.endswith(
        "General safety guidance from our team, not from the article: when to call 911."
    )


def test_sources_before_any_answer_explains_where_content_comes_from(stack, sender):
    (reply,) = stack.texts(sender, "where does this information come from")
    assert "IVIG and Myositis" in reply


def test_an_uncovered_question_gets_an_honest_decline_and_a_specialist_offer(stack, sender):
    messages = stack.send(sender, "can I drive after IVIG?")
    assert messages[0]["text"].startswith("I don't have that information")
    assert [b["payload"] for b in messages[0]["buttons"]] == ["/affirm", "/deny"]
    (reach,) = stack.texts(sender, "yes")
    assert "Hours:" in reach  # how to reach the team first: nothing personal is asked yet
    (consent,) = stack.texts(sender, "/request_human")
    assert "Is that okay?" in consent


def test_the_weather_gets_a_polite_redirect(stack, sender):
    (reply,) = stack.texts(sender, "what's the weather")
    assert reply.startswith("Sorry, that's outside what I can help with.")


def test_gibberish_is_not_answered_confidently(stack, sender):
    messages = stack.send(sender, "blorp zzkk wibble")
    assert "Source:" not in messages[0]["text"]
    assert any(b["payload"] == "/request_human" for b in messages[0]["buttons"])


def test_a_vague_question_offers_the_closest_topics_as_buttons(stack, sender):
    messages = stack.send(sender, "plasma donors")
    titles = [b["title"] for b in messages[0].get("buttons", [])]
    assert "Source:" not in messages[0]["text"]
    assert "What IVIG is" in titles and "Talk to a specialist" in titles


def test_a_topic_button_payload_is_answered(stack, sender):
    (reply,) = stack.texts(sender, '/faq{"faq_topic": "home_infusion"}')
    assert "home infusion" in reply


def test_asking_for_a_person_asks_consent_and_a_no_gives_hours_and_phone(stack, sender):
    (consent,) = stack.texts(sender, "I want to talk to a real person")
    assert "Is that okay?" in consent
    (reply,) = stack.texts(sender, "no")
    assert "9:00 AM to 10:00 PM" in reply and "closed Saturday and Sunday" in reply


def test_the_greeting_says_it_gives_information_not_medical_advice(stack, sender):
    messages = stack.send(sender, "hello")
    assert "not medical advice" in messages[0]["text"]


def test_conversations_are_kept_in_the_sqlite_tracker_store(stack, sender):
    stack.send(sender, "what is ivig")
    with sqlite3.connect(stack.tracker_db) as db:
        query = "SELECT COUNT(*) FROM events WHERE sender_id = ?"
        (count,) = db.execute(query, (sender,)).fetchone()
    assert count > 0


def test_the_model_archive_carries_its_own_spacy_pipeline(stack):
    with tarfile.open(stack.model) as archive:
        names = archive.getnames()
    assert any("/spacy_pipeline/" in name for name in names)


def test_the_lexicon_tags_a_diagnosis_in_free_text(stack):
    parse = stack.parse("they think it's IBM")
    found = [
        (e["entity"], e["value"], e["extractor"])
        for e in parse["entities"]
        if e["entity"] == "myositis_type"
    ]
    assert found == [("myositis_type", "inclusion_body_myositis", "LexiconEntityExtractor")]


def test_a_bare_type_name_outside_the_screen_gets_its_topic(stack, sender):
    (reply,) = stack.texts(sender, "dermatomyositis")
    assert "Source:" in reply and "dermatomyositis" in reply.lower()


def test_repeated_misunderstandings_offer_a_specialist(stack, sender):
    stack.send(sender, "blorp zzkk wibble")
    messages = stack.send(sender, "qwzx plonk")
    assert "still not understanding" in messages[0]["text"]
    assert messages[0]["buttons"][0]["payload"] == "/request_human"


def test_yes_to_how_to_reach_one_gives_the_phone_and_hours_before_asking_anything(stack, sender):
    from tests.integration.test_screening_conversations import Chat

    chat = Chat(stack, sender)
    assert "how to reach one" in chat.say("can i drive after ivig?")
    reply = chat.say("yes please")
    assert "Hours:" in reply and "[Yes, contact me]" in reply
    assert "name" not in reply.lower()  # nothing personal before they ask to be contacted


def test_a_correction_with_its_value_at_the_summary_is_taken_and_shown(stack, sender):
    from tests.integration.test_screening_conversations import HAPPY, Chat

    chat = Chat(stack, sender)
    chat.say("could ivig help me")
    assert "74.8 kg" in chat.run(*HAPPY)
    summary = chat.say("actually I weigh 80 kg")
    assert "Here is what you told me" in summary and "80 kg" in summary


def test_a_follow_up_that_reads_off_topic_alone_is_answered_in_context(stack, sender):
    stack.texts(sender, "what is ivig")
    (reply,) = stack.texts(sender, "what's it made of?")
    assert "donors" in reply and "Source:" in reply
    (reply,) = stack.texts(sender, "can you book me a flight for it?")
    assert "outside what I can help with" in reply


def test_a_yes_with_nothing_to_agree_to_asks_what_else_not_a_topic_that_says_yes(stack, sender):
    stack.texts(sender, "how often is ivig given")
    reply = " ".join(stack.texts(sender, "yes"))
    assert "anything else you'd like to know" in reply
    assert "Home infusion" not in reply and "Did you mean" not in reply
