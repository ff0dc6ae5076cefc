"""The buttons the action server adds come from data, in the caregiver's wording when asked."""

import pytest

from bot.core.buttons import button


def test_the_screening_button_speaks_to_the_reader_by_default():
    assert button("screening") == {"title": "Could IVIG help me?", "payload": "/check_eligibility"}


def test_a_caregiver_gets_the_screening_button_for_the_person_they_ask_about():
    assert button("screening", "your mother")["title"] == "Could IVIG help your mother?"


def test_a_button_without_a_caregiver_wording_keeps_its_title():
    assert button("specialist", "your mother") == {
        "title": "Talk to a specialist",
        "payload": "/request_human",
    }


def test_an_unknown_button_is_an_error_not_a_silent_blank():
    with pytest.raises(KeyError):
        button("no_such_button")
