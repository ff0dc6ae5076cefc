"""Personal data never reaches a log line."""

import logging

import pytest

from bot.startup.logging_privacy import install, redact


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("call me at 555-123-4567", "call me at [phone]"),
        ("my number is (555) 123 4567", "my number is [phone]"),
        ("whatsapp:+14155550123", "whatsapp:[phone]"),
        ("mail jane.doe+x@example.co.uk now", "mail [email] now"),
        ("born 03/14/1962", "born [date]"),
        ("dob March 14, 1962", "dob [date]"),
        ("my name is Jane Doe", "my name is [name]"),
        ('{"full_name": "Jane Doe", "phone": "+14155550123"}',
         '{"full_name": "[redacted]", "phone": "[redacted]"}'),
        ('previous action name: action_listen', 'previous action name: action_listen'),
        ("what is ivig 2 g per kg over 2 to 5 days", "what is ivig 2 g per kg over 2 to 5 days"),
    ],
)  # fmt: skip
def test_personal_data_is_replaced(line, expected):
    assert redact(line) == expected


def test_every_record_is_redacted_once_installed(caplog):
    install()
    with caplog.at_level(logging.INFO):
        logging.getLogger("any.library").info("user said %s", "call 555-123-4567")
    assert "555" not in caplog.text and "[phone]" in caplog.text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"parse_data_text": "Zelda Quimby", "x": 1}', '{"parse_data_text": "[message]", "x": 1}'),
        ("[state 1] user text: Zelda Quimby | previous",
         "[state 1] user text: [message] | previous"),
        ("\\tcontact_name: Zelda Quimby\\n\\tcontact_method: call",
         "\\tcontact_name: [redacted]\\n\\tcontact_method: call"),
        ("SlotSet(key: contact_name, value: Zelda Quimby)",
         "SlotSet(key: contact_name, value: [redacted])"),
    ],
)  # fmt: skip
def test_rasa_debug_lines_lose_message_texts_and_contact_slots(line, expected):
    assert redact(line) == expected


def test_python_warnings_go_through_the_redaction_too():
    """In a process of its own: pytest records warnings itself, which would hide the path."""
    import subprocess
    import sys

    code = (
        "import logging, warnings\n"
        "from bot.startup import logging_privacy\n"
        "logging.basicConfig()\n"
        "logging_privacy.install()\n"
        'warnings.warn(\'Parsing of /inform{"contact_email": "ana@example.com"}\')\n'
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "UserWarning" in result.stderr and "ana@example.com" not in result.stderr
