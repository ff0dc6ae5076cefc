"""Deleting old conversations from Rasa's SQL tracker store, and erasing one on request.

Run it daily (cron, a Kubernetes CronJob): `python -m bot.retention` keeps
TRACKER_RETENTION_DAYS days (default 90) of conversation events; `--days N` overrides.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

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
    if os.environ.get("TRACKER_DB_URL"):
        return make_url(os.environ["TRACKER_DB_URL"])
    dialect = os.environ.get("TRACKER_DB_DIALECT", "sqlite")
    return URL.create(dialect, database=os.environ.get("TRACKER_DB_NAME", "ivig-tracker.db"))


EVENTS = table("events", column("timestamp", Float))


def purge(engine: Engine, days: float, now: float | None = None) -> int:
    """Deletes events older than `days`; returns how many rows went."""
    cutoff = (time.time() if now is None else now) - days * 86400
    with engine.begin() as connection:
        result = connection.execute(delete(EVENTS).where(EVENTS.c.timestamp < cutoff))
    return int(result.rowcount or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.retention")
    default = float(os.environ.get("TRACKER_RETENTION_DAYS", "90"))
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
PERSONAL_SLOTS = ("contact_name", "contact_phone", "contact_email")


def _erased(row_type: str, data: dict) -> dict | None:
    """The event with what the person typed (and contact slots) blanked; None if unchanged."""
    if row_type == "user":
        data["text"] = ERASED
        if isinstance(data.get("parse_data"), dict):
            data["parse_data"]["text"] = ERASED
            data["parse_data"]["entities"] = []
        return data
    if row_type == "slot" and data.get("name") in PERSONAL_SLOTS and data.get("value"):
        data["value"] = None
        return data
    return None


def erase_transcript(engine: Engine, sender_id: str) -> int:
    """Blanks a conversation's typed texts and contact slots in Rasa's SQL tracker store.

    Rows are rewritten, not deleted: Rasa's SQL store appends events by counting stored rows,
    so deleting them under a live conversation would make it store everything again.
    """
    changed = 0
    with engine.begin() as connection:
        rows = connection.execute(
            select(EVENT_ROWS.c.id, EVENT_ROWS.c.type_name, EVENT_ROWS.c.data).where(
                EVENT_ROWS.c.sender_id == sender_id
            )
        ).all()
        for row_id, row_type, raw in rows:
            erased = _erased(row_type, json.loads(raw))
            if erased is not None:
                connection.execute(
                    update(EVENT_ROWS)
                    .where(EVENT_ROWS.c.id == row_id)
                    .values(data=json.dumps(erased))
                )
                changed += 1
    return changed
