"""Contact details as people type them, validated and normalized."""

import pytest

from bot.action_server.leads.contact import (
    parse_email,
    parse_method,
    parse_name,
    parse_phone,
    parse_time,
)


@pytest.mark.parametrize(
    ("text", "e164"),
    [("415-555-0123", "+14155550123"), ("(415) 555 0123", "+14155550123"),
     ("+1 415 555 0123", "+14155550123"), ("+44 20 7946 0958", "+442079460958")],
)  # fmt: skip
def test_phone_numbers_are_normalized_to_e164(text, e164):
    assert parse_phone(text).value == e164


@pytest.mark.parametrize("text", ["12345", "call me", "555-0123", ""])
def test_bad_phone_numbers_are_refused(text):
    assert parse_phone(text).problem


def test_emails_are_validated_and_normalized():
    assert parse_email("my email is Jane.Doe@Example.COM").value == "Jane.Doe@example.com"
    assert parse_email("jane@").problem and parse_email("no email").problem


def test_names_methods_and_times():
    assert parse_name("my name is Jane Doe").value == "Jane Doe"
    assert parse_name("12345").problem
    assert parse_method("please text me").value == "text"
    assert parse_method("Email").value == "email"
    assert parse_time("evenings are best").value == "evening"
    assert parse_time("whenever").value == "any time"
