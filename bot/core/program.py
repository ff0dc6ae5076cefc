"""The pharmacy program's settings (name, hours, time zone, phone, service area).

They come from data/program.yml and three settings (PHARMACY_PHONE, PHARMACY_TIMEZONE,
SERVICE_AREA_STATES) that each process reads at start-up and hands in with `configure()`: the
core itself reads no environment. They are program settings, not facts of
the article, and the file's values are development defaults until the pharmacy confirms them:
setting_warnings() says which are still the defaults, for the caller to log at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from bot import DATA_DIR
from bot.core.yamlio import load_yaml

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
    service_area: frozenset[str] = frozenset()
    confirmed: bool = False  # the file's values were confirmed by the pharmacy
    overridden: frozenset[str] = frozenset()  # settings the environment set


def _parse_hours(spec: object) -> tuple[time, time] | None:
    if spec in (None, "closed"):
        return None
    opens, closes = spec  # type: ignore[misc]
    return time.fromisoformat(opens), time.fromisoformat(closes)


PROGRAM_SETTINGS = ("PHARMACY_PHONE", "PHARMACY_TIMEZONE", "SERVICE_AREA_STATES")
_configured: dict[str, str] = {}


def configure(settings: Mapping[str, str]) -> None:
    """The program settings this process read at start-up; without them, the file's values."""
    _configured.clear()
    _configured.update({name: settings.get(name, "") for name in PROGRAM_SETTINGS})


def configured() -> dict[str, str]:
    return dict(_configured)


def load_program(path: Path = PROGRAM_FILE, environ: Mapping[str, str] | None = None) -> Program:
    """`environ` overrides the configured settings (tests, tools)."""
    env = _configured if environ is None else environ
    raw = load_yaml(path)
    hours = raw["hours"]
    contact = raw.get("contact", {})
    phone = env.get(contact.get("phone_env", "PHARMACY_PHONE"), "").strip() or None
    zone = env.get("PHARMACY_TIMEZONE", "").strip()
    states = env.get("SERVICE_AREA_STATES", "").strip()
    area = [s.strip().upper() for s in states.split(",") if s.strip()] if states else None
    overridden = {"timezone": bool(zone), "service_area": bool(area), "phone": bool(phone)}
    return Program(
        name=raw["name"],
        short_name=raw.get("short_name", raw["name"]),
        timezone=zone or hours["timezone"],
        hours={day: _parse_hours(hours["days"].get(day)) for day in DAYS},
        holidays=frozenset(date.fromisoformat(str(d)) for d in hours.get("holidays") or []),
        phone=phone,
        no_phone_text=contact.get("no_phone_text", "our Contact Us page"),
        service_area=frozenset(area if area else raw.get("service_area") or []),
        confirmed=bool(raw.get("confirmed", False)),
        overridden=frozenset(name for name, set_ in overridden.items() if set_),
    )


def setting_warnings(program: Program) -> list[str]:
    """The program settings that are still development defaults, one sentence each.

    A plain list, so the caller decides how to log it (the action server logs a warning at
    start-up) and tests can read it.
    """
    warnings = []
    if "phone" not in program.overridden:
        warnings.append(
            "PHARMACY_PHONE is not set: the bot gives no phone number and points people to "
            f'"{program.no_phone_text}".'
        )
    if program.confirmed:
        return warnings
    if "service_area" not in program.overridden:
        states = ", ".join(sorted(program.service_area))
        warnings.append(
            f"The service area is the development default in {PROGRAM_FILE.name} ({states}): "
            "set SERVICE_AREA_STATES to the pharmacy's licensed states."
        )
    if "timezone" not in program.overridden:
        warnings.append(
            f"The business hours and time zone ({program.timezone}) are the development "
            f"defaults in {PROGRAM_FILE.name}: confirm them (confirmed: true) or set "
            "PHARMACY_TIMEZONE."
        )
    return warnings


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
