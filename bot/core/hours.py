"""When a specialist will make contact, from the clock and the business hours in data/program.yml.

Monday to Friday 9:00 AM to 10:00 PM, closed Saturday and Sunday (from the article), in the
program's time zone (PHARMACY_TIMEZONE), skipping configured holidays.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.core.program import DAY_NAMES, DAYS, ZONE_NAMES, Program, clock_text


def _span(program: Program, day: date) -> tuple[time, time] | None:
    if day in program.holidays:
        return None
    return program.hours[DAYS[day.weekday()]]


def next_opening(program: Program, now: datetime) -> datetime:
    """The start of the next business hours at or after `now` (now itself when open)."""
    zone = ZoneInfo(program.timezone)
    local = now.astimezone(zone)
    for offset in range(0, 370):
        day = local.date() + timedelta(days=offset)
        span = _span(program, day)
        if span is None:
            continue
        opens = datetime.combine(day, span[0], zone)
        closes = datetime.combine(day, span[1], zone)
        if offset == 0 and local >= closes:
            continue
        return max(opens, local) if offset == 0 else opens
    raise ValueError("no business hours in the coming year")


def contact_expectation(program: Program, now: datetime | None = None) -> str:
    """'later today, by 10:00 PM Pacific time' or 'on Monday, from 9:00 AM Pacific time'."""
    now = now or datetime.now(timezone.utc)
    zone = ZoneInfo(program.timezone)
    local = now.astimezone(zone)
    opening = next_opening(program, now)
    zone_name = ZONE_NAMES.get(program.timezone, program.timezone)
    span = _span(program, opening.date())
    assert span is not None
    if opening.date() == local.date():
        if opening <= local:
            return f"today, during our hours (we're open until {clock_text(span[1])} {zone_name})"
        return f"today, after {clock_text(span[0])} {zone_name}"
    when = (
        "tomorrow"
        if opening.date() == local.date() + timedelta(days=1)
        else (f"on {DAY_NAMES[DAYS[opening.weekday()]]}")
    )
    return f"{when}, from {clock_text(span[0])} {zone_name} (the next business day)"
