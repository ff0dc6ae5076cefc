"""Deleting old conversations from Rasa's SQL tracker store, and erasing one on request.

Run by the Rasa server alone, which owns the tracker database: the action server asks for an
erasure with an event (bot/core/erasure.py), never by writing these rows.

Run it daily (cron, a Kubernetes CronJob): `python -m bot.rasa_server.retention` keeps
TRACKER_RETENTION_DAYS days (default 90) of conversation events; `--days N` overrides.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping

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

from bot.core.erasure import Erasure, erase_rows, forget_contact_rows
from bot.startup import env


def tracker_url() -> URL:
    """The tracker store's URL, from the same variables endpoints.yml reads."""
    if env.text("TRACKER_DB_URL"):
        return make_url(env.text("TRACKER_DB_URL"))
    dialect = env.text("TRACKER_DB_DIALECT", "sqlite")
    name = env.text("TRACKER_DB_NAME", "ivig-tracker.db")
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


EVENT_ROWS = table(
    "events",
    column("id", Integer),
    column("sender_id", String),
    column("type_name", String),
    column("data", Text),
)


def _rewrite(engine: Engine, sender_id: str, plan: Callable[[list], list]) -> int:
    """Reads the conversation's rows in order and writes back those `plan` changes, in one
    transaction; on SQLite freed space is zeroed (secure_delete) as it goes. Returns how many
    rows changed."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA secure_delete=ON")
        rows = connection.execute(
            select(EVENT_ROWS.c.id, EVENT_ROWS.c.type_name, EVENT_ROWS.c.data)
            .where(EVENT_ROWS.c.sender_id == sender_id)
            .order_by(EVENT_ROWS.c.id)
        ).all()
        changed = plan([(row_id, row_type, json.loads(raw)) for row_id, row_type, raw in rows])
        for row_id, data in changed:
            connection.execute(
                update(EVENT_ROWS).where(EVENT_ROWS.c.id == row_id).values(data=json.dumps(data))
            )
    return len(changed)


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
    _rewrite(engine, sender_id, lambda rows: erase_rows(rows, erasure))
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return erasure


def forget_contact_answers(engine: Engine, sender_id: str) -> int:
    """Blanks the messages that answered the name, phone and email questions, and those slots,
    once the lead holds them encrypted; returns how many rows changed. The intent stays."""
    return _rewrite(engine, sender_id, forget_contact_rows)


def retention_days(environ: Mapping[str, str] | None = None) -> int:
    """TRACKER_RETENTION_DAYS, for replies that say when a transcript goes on its own."""
    value = (
        env.text("TRACKER_RETENTION_DAYS")
        if environ is None
        else environ.get("TRACKER_RETENTION_DAYS", "").strip()
    )
    return int(float(value)) if value else 90


if __name__ == "__main__":
    sys.exit(main())
