"""Keeping personal data out of every log line the project's processes write.

`install()` wraps the log record factory, so each record's message is redacted when it is
created, whichever logger or handler it goes to (Rasa's, Sanic's, ours). Phone numbers,
emails, dates of birth and stated names are replaced by placeholders.
"""

from __future__ import annotations

import logging
import re

PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # What a person typed can hold anything: Rasa's debug lines keep only that a message came.
    (re.compile(r'("(?:parse_data_text|text|message)"\s*:\s*)"(?:[^"\\]|\\.)*"'), r'\1"[message]"'),
    (re.compile(r"(user text: ).*?( \||\\n|$)"), r"\1[message]\2"),
    # Contact slots, however Rasa prints them (slot dumps, SlotSet events).
    (
        re.compile(r"(contact_(?:name|phone|email)(?:\)?:|, value:)\s*)[^\\\n,)\"]+"),
        r"\1[redacted]",
    ),
    (re.compile(r"(key: contact_(?:name|phone|email), value: )[^)]*"), r"\1[redacted]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?<![\w+])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)"), "[phone]"),
    (re.compile(r"\+\d{10,15}\b"), "[phone]"),
    (re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}\b"), "[date]"),
    (
        re.compile(
            r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2},? "
            r"(?:19|20)\d{2}\b",
            re.I,
        ),
        "[date]",
    ),
    (
        re.compile(
            r"\b(my name is|i am called|my name's)\s+[A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?",
            re.I,
        ),
        r"\1 [name]",
    ),
    (
        re.compile(
            r'("(?:full_name|first_name|last_name|contact_name|email|phone)"\s*:\s*)"[^"]*"'
        ),
        r'\1"[redacted]"',
    ),
]

_installed = False


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def install() -> None:
    """Redacts every log record created from now on in this process (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for logging to report
            return record
        record.msg, record.args = redact(message), None
        return record

    logging.setLogRecordFactory(factory)
    # Python warnings print straight to stderr unless routed through logging: a UserWarning
    # about a typed `/inform{...}` carried a name, phone and email past the redaction.
    logging.captureWarnings(True)
    _installed = True
