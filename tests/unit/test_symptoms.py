"""Symptom information names what the article links, never a diagnosis."""

import re

import pytest

from bot.core.symptoms import links, reply


def test_a_rash_is_linked_with_dermatomyositis_and_a_doctor_is_named():
    answer = reply(["skin_rash", "muscle_pain"])
    assert "You mentioned skin rashes and muscle pain." in answer.text
    assert "dermatomyositis" in answer.text
    assert "Only a doctor can find out" in answer.text and "rheumatologist" in answer.text
    assert answer.refs == (3, 5)


def test_without_a_known_symptom_the_general_signs_are_given():
    answer = reply([])
    assert "common signs of myositis" in answer.text and "Only a doctor" in answer.text


@pytest.mark.parametrize("symptom", sorted(links()["symptoms"]))
def test_no_reply_tells_the_person_what_they_have(symptom):
    text = reply([symptom]).text.lower()
    assert not re.search(r"\byou (?:have|may have|might have|probably have|likely have)\b", text)
    assert "sounds like" not in text and "your diagnosis" not in text
