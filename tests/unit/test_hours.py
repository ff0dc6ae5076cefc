"""When to expect contact, across the edges of the week, holidays and time zones."""

from dataclasses import replace
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.hours import contact_expectation, next_opening
from bot.core.program import load_program

LA = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def program(monkeypatch):
    monkeypatch.delenv("PHARMACY_TIMEZONE", raising=False)
    return load_program()


def at(year, month, day, hour, minute=0, zone=LA):
    return datetime(year, month, day, hour, minute, tzinfo=zone)


OPEN = "today, during our hours (we're open until 10:00 PM Pacific time)"


# 2026-11-23 is a Monday.
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(2026, 11, 23, 10), OPEN),
        (at(2026, 11, 23, 8, 59), "today, after 9:00 AM Pacific time"),
        (at(2026, 11, 23, 21, 59), OPEN),
        (at(2026, 11, 23, 22, 0), "tomorrow, from 9:00 AM Pacific time (the next business day)"),
        (at(2026, 11, 27, 22, 30), "on Monday, from 9:00 AM Pacific time (the next business day)"),
        (at(2026, 11, 28, 12), "on Monday, from 9:00 AM Pacific time (the next business day)"),
        (at(2026, 11, 29, 23, 59), "tomorrow, from 9:00 AM Pacific time (the next business day)"),
    ],
)  # fmt: skip
def test_contact_is_promised_within_business_hours(program, now, expected):
    assert contact_expectation(program, now) == expected


def test_a_utc_clock_is_read_in_the_program_time_zone(program):
    # 05:30 UTC on Tuesday is 21:30 Monday in Los Angeles: still open.
    now = datetime(2026, 11, 24, 5, 30, tzinfo=timezone.utc)
    assert contact_expectation(program, now).startswith("today, during our hours")


def test_the_time_zone_is_configurable(program):
    eastern = replace(program, timezone="America/New_York")
    now = datetime(2026, 11, 24, 3, 30, tzinfo=timezone.utc)  # 22:30 Monday in New York
    assert contact_expectation(eastern, now) == (
        "tomorrow, from 9:00 AM Eastern time (the next business day)"
    )


def test_holidays_are_skipped(program):
    closed = replace(program, holidays=frozenset({date(2026, 11, 26), date(2026, 11, 27)}))
    opening = next_opening(closed, at(2026, 11, 25, 23))
    assert opening == at(2026, 11, 30, 9)
