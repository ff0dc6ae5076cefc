"""Symptoms get information and a doctor, never a diagnosis; medicines get "ask your prescriber"."""

import pytest

from tests.integration.test_screening_conversations import Chat


def test_a_symptom_description_gets_what_the_article_links_and_a_doctor(stack, sender):
    reply = Chat(stack, sender).say("purple rash on my eyelids and my thighs hurt")
    assert "You mentioned skin rashes and muscle pain" in reply
    assert "dermatomyositis" in reply
    assert "Only a doctor can find out what is causing your symptoms" in reply
    assert "rheumatologist or a neurologist" in reply
    assert "[Could IVIG help me?]" in reply and "[Talk to a specialist]" in reply
    assert "you have" not in reply.lower()


def test_weakness_in_daily_life_is_recognised_as_a_symptom(stack, sender):
    reply = Chat(stack, sender).say("my arms are so weak I can't brush my hair")
    assert "You mentioned muscle weakness" in reply and "Only a doctor" in reply


@pytest.mark.parametrize(
    ("question", "general"),
    [
        ("should i stop taking prednisone", "steroids"),
        ("is it ok if i stop my prednisone early", "steroids"),
        ("can i double my ivig dose", "2 g of IVIG per kg"),
        ("how many grams of ivig should i get", "2 g of IVIG per kg"),
    ],
)
def test_changing_a_medicine_always_gets_ask_your_prescriber_and_general_facts(
    stack, sender, question, general
):
    reply = Chat(stack, sender).say(question)
    assert reply.startswith("I can't tell you to start, stop or change a medicine")
    assert "Please ask your prescriber" in reply
    assert "Here is some general information:" in reply and general in reply
    assert "Source:" in reply


def test_a_lab_result_is_not_interpreted(stack, sender):
    reply = Chat(stack, sender).say("my ck level is 2000 is that bad")
    assert "Please ask your prescriber" in reply
    assert "explain your test results" in reply


def test_a_medicine_question_beside_another_question_gets_the_boundary_and_that_answer(
    stack, sender
):
    reply = Chat(stack, sender).say(
        "My husband took a statin for years and now they say he has myositis. What causes "
        "myositis in general? And should he stop the statin right away?"
    )
    assert reply.startswith("I can't tell you to start, stop or change a medicine")
    assert "No one knows the exact cause yet" in reply  # the other question, answered
    assert reply.count("Source:") >= 1
