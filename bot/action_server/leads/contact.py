"""Reading contact details: names, phone numbers (E.164, US by default), emails, preferences."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from bot import DATA_DIR
from bot.core.screening.parsing import Reading
from bot.core.yamlio import load_yaml
from bot.startup import env

PHRASES_FILE = DATA_DIR / "leads" / "contact_phrases.yml"
NAME = re.compile(r"^[^\W\d_](?:[^\W\d_]|[ .'\u2019-])*$")


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    return load_yaml(PHRASES_FILE)


def default_region() -> str:
    return env.text("PHONE_DEFAULT_REGION", "US")


def parse_phone(text: str, region: str | None = None) -> Reading:
    try:
        number = phonenumbers.parse(text.strip(), region or default_region())
    except phonenumbers.NumberParseException:
        return Reading(problem="That doesn't look like a phone number.")
    if not phonenumbers.is_valid_number(number):
        return Reading(problem="That doesn't look like a valid phone number.")
    return Reading(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def parse_email(text: str) -> Reading:
    match = re.search(r"\S+@\S+", text)
    if not match:
        return Reading(problem="That doesn't look like an email address.")
    try:
        result = validate_email(match.group().strip(".,;"), check_deliverability=False)
    except EmailNotValidError:
        return Reading(problem="That doesn't look like a valid email address.")
    return Reading(result.normalized)


def parse_name(text: str) -> Reading:
    prefixes = "|".join(re.escape(p) for p in phrases()["name_prefixes"])
    name = re.sub(rf"^(?:{prefixes})\s+", "", text.strip(), flags=re.I)
    name = re.sub(r"\s+", " ", name).strip(" .,!")
    # A letter first, then letters, spaces, apostrophes, periods and hyphens: nothing a
    # spreadsheet could read as a formula (=, +, -, @ first) or a page as markup.
    if not (1 <= len(name) <= 80) or not NAME.match(name):
        return Reading(problem="Please tell me the name we should ask for.")
    return Reading(name)


def _choice(text: str, options: dict[str, list[str]]) -> str | None:
    t = text.lower()
    for value, words in options.items():
        if any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", t) for w in words):
            return value
    return None


def parse_method(text: str) -> Reading:
    value = _choice(text, phrases()["methods"])
    return Reading(value) if value else Reading(problem="Should we call, text or email you?")


def parse_time(text: str) -> Reading:
    value = _choice(text, phrases()["times"])
    return Reading(value) if value else Reading(problem="Morning, afternoon, evening or any time?")
