"""Deleting old conversations from Rasa's SQL tracker store, and erasing one on request.

Run it daily (cron, a Kubernetes CronJob): `python -m bot.rasa_server.retention` keeps
TRACKER_RETENTION_DAYS days (default 90) of conversation events; `--days N` overrides.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass

from sqlalchemy import (
    Float,
    Integer,
    String,
    Text,
    column,
    create_engine,
    delete,
    select,
    table,
    update,
)
from sqlalchemy.engine import URL, Engine, make_url


def tracker_url() -> URL:
    """The tracker store's URL, from the same variables endpoints.yml reads."""
    if os.environ.get("TRACKER_DB_URL", "").strip():
        return make_url(os.environ["TRACKER_DB_URL"].strip())
    dialect = os.environ.get("TRACKER_DB_DIALECT", "").strip() or "sqlite"
    name = os.environ.get("TRACKER_DB_NAME", "").strip() or "ivig-tracker.db"
    return URL.create(dialect, database=name)


EVENTS = table("events", column("timestamp", Float))


def purge(engine: Engine, days: float, now: float | None = None) -> int:
    """Deletes events older than `days`; returns how many rows went."""
    cutoff = (time.time() if now is None else now) - days * 86400
    with engine.begin() as connection:
        result = connection.execute(delete(EVENTS).where(EVENTS.c.timestamp < cutoff))
    return int(result.rowcount or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.rasa_server.retention")
    default = float(retention_days())
    parser.add_argument("--days", type=float, default=default)
    args = parser.parse_args(argv)
    removed = purge(create_engine(tracker_url()), args.days)
    print(f"Deleted {removed} conversation events older than {args.days:g} days.")
    return 0


if __name__ == "__main__":
    sys.exit(main())


EVENT_ROWS = table(
    "events",
    column("id", Integer),
    column("sender_id", String),
    column("type_name", String),
    column("data", Text),
)
ERASED = "[erased]"
# What the person typed and what was read from it; the intent's name stays, so the dialogue
# can continue, but not its ranking, entities or the response selector's copy of the text.
USER_KEEP = ("event", "timestamp", "input_channel", "message_id")


@dataclass
class Erasure:
    """What an erasure changed, for the reply that says exactly what it did."""

    messages: int = 0  # the person's messages blanked
    replies: int = 0  # the bot's replies blanked (summaries and confirmations repeat answers)
    answers: int = 0  # slot values cleared: screening answers, contact details, the referral


def _erased(row_type: str, data: dict, erasure: Erasure) -> dict | None:
    """The event with everything personal blanked; None if it held nothing to blank."""
    if row_type in ("user", "bot") and data.get("text") == ERASED and not data.get("metadata"):
        return None  # blanked by an earlier erasure
    if row_type == "user":
        intent = (data.get("parse_data") or {}).get("intent") or {}
        kept = {key: data[key] for key in USER_KEEP if key in data}
        erasure.messages += 1
        return {
            **kept,
            "text": ERASED,
            "parse_data": {
                "text": ERASED,
                "intent": {"name": intent.get("name"), "confidence": 1.0},
                "entities": [],
                "message_id": data.get("message_id"),
                "metadata": {},
            },
            "metadata": {},
        }
    if row_type == "bot":
        erasure.replies += 1
        return {**data, "text": ERASED, "data": {}, "metadata": {}}
    if row_type == "slot" and data.get("value") is not None:
        erasure.answers += 1
        return {**data, "value": None}
    if row_type == "entities" and data.get("entities"):
        return {**data, "entities": []}
    if row_type == "session_started" and data.get("metadata"):
        return {**data, "metadata": {}}  # a copy of the first message's metadata
    return None


def erase_transcript(engine: Engine, sender_id: str) -> Erasure:
    """Blanks everything a conversation holds about the person in Rasa's SQL tracker store:
    their messages and what was read from them, every slot value (screening answers, contact
    details, the referral) and the bot's replies, which repeat answers back ("Here is what you
    told me: ..."). On SQLite, freed space is zeroed and the write-ahead log truncated, so the
    old values are in no file afterwards.

    Rows are rewritten, not deleted: Rasa's SQL store appends events by counting stored rows,
    so deleting them under a live conversation would make it store everything again.
    """
    erasure = Erasure()
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
        rows = connection.execute(
            select(EVENT_ROWS.c.id, EVENT_ROWS.c.type_name, EVENT_ROWS.c.data).where(
                EVENT_ROWS.c.sender_id == sender_id
            )
        ).all()
        for row_id, row_type, raw in rows:
            erased = _erased(row_type, json.loads(raw), erasure)
            if erased is not None:
                connection.execute(
                    update(EVENT_ROWS)
                    .where(EVENT_ROWS.c.id == row_id)
                    .values(data=json.dumps(erased))
                )
    if sqlite:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return erasure


CONTACT_SLOTS = ("contact_name", "contact_phone", "contact_email")


def retention_days() -> int:
    """TRACKER_RETENTION_DAYS, for replies that say when a transcript goes on its own."""
    value = os.environ.get("TRACKER_RETENTION_DAYS", "").strip()
    return int(float(value)) if value else 90


def forget_contact_answers(engine: Engine, sender_id: str) -> int:
    """Blanks the messages that answered the name, phone and email questions, and those slots,
    once the lead holds them encrypted; returns how many rows changed. The intent stays."""
    changed, asking = 0, None
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
        rows = connection.execute(
            select(EVENT_ROWS.c.id, EVENT_ROWS.c.type_name, EVENT_ROWS.c.data)
            .where(EVENT_ROWS.c.sender_id == sender_id)
            .order_by(EVENT_ROWS.c.id)
        ).all()
        for row_id, row_type, raw in rows:
            data = json.loads(raw)
            erased = None
            if row_type == "slot" and data.get("name") == "requested_slot":
                asking = data.get("value")
            elif row_type == "slot" and data.get("name") in CONTACT_SLOTS and data.get("value"):
                erased = {**data, "value": None}
            elif row_type == "user" and asking in CONTACT_SLOTS and data.get("text") != ERASED:
                erased = _erased("user", data, Erasure())
            if erased is not None:
                connection.execute(
                    update(EVENT_ROWS)
                    .where(EVENT_ROWS.c.id == row_id)
                    .values(data=json.dumps(erased))
                )
                changed += 1
    return changed
