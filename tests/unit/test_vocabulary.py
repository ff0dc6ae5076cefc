"""Telling a keyboard mash from a message the assistant could understand."""

import pytest

from bot.core.vocabulary import domain_words, is_unrecognizable


@pytest.mark.parametrize("text", ["blorp zzkk", "asdfgh qwerty", "xkcdq!!", "zzzzzz"])
def test_a_keyboard_mash_is_unrecognizable(text):
    assert is_unrecognizable(text)


@pytest.mark.parametrize(
    "text",
    ["r there side effects", "what is the dose", "thanks", "hello", "u there?", "is it bad"],
)
def test_plain_and_sms_english_is_recognized(text):
    assert not is_unrecognizable(text)


def test_domain_words_from_training_data_are_recognized():
    assert is_unrecognizable("ivig sibm")
    assert not is_unrecognizable("ivig sibm", domain_words(["what is IVIG", "sIBM facts"]))


@pytest.mark.parametrize("text", ["", "   ", "12345", "🙂🙂", "???"])
def test_text_without_letters_is_left_to_other_checks(text):
    assert not is_unrecognizable(text)
