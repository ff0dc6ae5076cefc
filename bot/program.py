"""The pharmacy program's facts (name, hours, phone) from data/program.yml and the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from bot import DATA_DIR
from bot.yamlio import load_yaml

PROGRAM_FILE = DATA_DIR / "program.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
ZONE_NAMES = {
    "America/Los_Angeles": "Pacific time",
    "America/Denver": "Mountain time",
    "America/Phoenix": "Arizona time",
    "America/Chicago": "Central time",
    "America/New_York": "Eastern time",
}


@dataclass(frozen=True)
class Program:
    name: str
    short_name: str
    timezone: str
    hours: dict[str, tuple[time, time] | None]
    holidays: frozenset[date]
    phone: str | None
    no_phone_text: str


def _parse_hours(spec: object) -> tuple[time, time] | None:
    if spec in (None, "closed"):
        return None
    opens, closes = spec  # type: ignore[misc]
    return time.fromisoformat(opens), time.fromisoformat(closes)


def load_program(path: Path = PROGRAM_FILE) -> Program:
    raw = load_yaml(path)
    hours = raw["hours"]
    contact = raw.get("contact", {})
    phone = os.environ.get(contact.get("phone_env", "PHARMACY_PHONE"), "").strip() or None
    return Program(
        name=raw["name"],
        short_name=raw.get("short_name", raw["name"]),
        timezone=os.environ.get("PHARMACY_TIMEZONE", hours["timezone"]),
        hours={day: _parse_hours(hours["days"].get(day)) for day in DAYS},
        holidays=frozenset(date.fromisoformat(str(d)) for d in hours.get("holidays") or []),
        phone=phone,
        no_phone_text=contact.get("no_phone_text", "our Contact Us page"),
    )


def clock_text(value: time) -> str:
    hour = value.hour % 12 or 12
    suffix = "AM" if value.hour < 12 else "PM"
    return f"{hour}:{value.minute:02d} {suffix}"


def hours_text(program: Program) -> str:
    """'Monday to Friday, 9:00 AM to 10:00 PM Pacific time; closed Saturday and Sunday'."""
    groups: list[tuple[list[str], tuple[time, time] | None]] = []
    for day in DAYS:
        if groups and groups[-1][1] == program.hours[day]:
            groups[-1][0].append(day)
        else:
            groups.append(([day], program.hours[day]))
    zone = ZONE_NAMES.get(program.timezone, program.timezone)
    open_parts, closed_days = [], []
    for days, span in groups:
        label = (
            DAY_NAMES[days[0]]
            if len(days) == 1
            else f"{DAY_NAMES[days[0]]} to {DAY_NAMES[days[-1]]}"
        )
        if span is None:
            closed_days.extend(DAY_NAMES[d] for d in days)
        else:
            open_parts.append(f"{label}, {clock_text(span[0])} to {clock_text(span[1])} {zone}")
    text = "; ".join(open_parts)
    if closed_days:
        text += "; closed " + _spoken_list(closed_days)
    return text


def _spoken_list(items: list[str]) -> str:
    """'Sunday', 'Saturday and Sunday', 'Tuesday, Saturday and Sunday'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def phone_text(program: Program) -> str:
    return program.phone or program.no_phone_text
