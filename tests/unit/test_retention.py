"""Conversations older than the retention period are deleted; newer ones stay."""

import sqlite3

from sqlalchemy import create_engine

from bot.retention import main, purge

DAY = 86400.0


def make_store(path):
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT,"
            " timestamp FLOAT, intent_name TEXT, action_name TEXT, data TEXT)"
        )
        for age in (200, 91, 89, 1):
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (f"s{age}", "user", 1_000_000_000 - age * DAY, "{}"),
            )


def remaining(path):
    with sqlite3.connect(path) as db:
        return sorted(row[0] for row in db.execute("SELECT sender_id FROM events"))


def test_events_older_than_the_period_are_deleted(tmp_path):
    path = tmp_path / "tracker.db"
    make_store(path)
    removed = purge(create_engine(f"sqlite:///{path}"), days=90, now=1_000_000_000)
    assert removed == 2
    assert remaining(path) == ["s1", "s89"]


def test_the_command_reads_the_tracker_store_from_the_environment(tmp_path, monkeypatch, capsys):
    path = tmp_path / "tracker.db"
    make_store(path)
    monkeypatch.setenv("TRACKER_DB_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB_NAME", str(path))
    assert main(["--days", "0"]) == 0
    assert remaining(path) == []
    assert "Deleted 4 conversation events" in capsys.readouterr().out
