"""Deleting conversations older than the retention period from Rasa's SQL tracker store.

Run it daily (cron, a Kubernetes CronJob): `python -m bot.retention` keeps
TRACKER_RETENTION_DAYS days (default 90) of conversation events; `--days N` overrides.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from sqlalchemy import Float, column, create_engine, delete, table
from sqlalchemy.engine import URL, Engine


def tracker_url() -> URL:
    """The tracker store's URL, from the same variables endpoints.yml reads."""
    dialect = os.environ.get("TRACKER_DB_DIALECT", "sqlite")
    name = os.environ.get("TRACKER_DB_NAME", "ivig-tracker.db")
    if dialect == "sqlite":
        return URL.create("sqlite", database=name)
    return URL.create(
        dialect,
        username=os.environ.get("TRACKER_DB_USER") or None,
        password=os.environ.get("TRACKER_DB_PASSWORD") or None,
        host=os.environ.get("TRACKER_DB_HOST") or None,
        port=int(os.environ["TRACKER_DB_PORT"]) if os.environ.get("TRACKER_DB_PORT") else None,
        database=name,
    )


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
