"""Conversations older than the retention period are deleted; newer ones stay."""

import sqlite3

from sqlalchemy import create_engine

from bot.rasa_server.retention import main, purge

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
    monkeypatch.delenv("TRACKER_DB_URL", raising=False)
    assert main(["--days", "0"]) == 0
    assert remaining(path) == []
    assert "Deleted 4 conversation events" in capsys.readouterr().out


def test_a_tracker_db_url_wins_over_dialect_and_name_as_in_endpoints_yml(tmp_path, monkeypatch):
    path = tmp_path / "shared.db"
    make_store(path)
    monkeypatch.setenv("TRACKER_DB_NAME", str(tmp_path / "other.db"))
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{path}")
    assert main(["--days", "0"]) == 0
    assert remaining(path) == []


def test_erasing_a_transcript_blanks_texts_every_answer_and_the_bots_echoes_but_keeps_rows(
    tmp_path,
):
    import json

    from bot.rasa_server.retention import erase_transcript

    path = tmp_path / "tracker.db"
    make_store(path)
    rows = [
        ("me", "user", {"event": "user", "text": "call 415-555-0199",
                        "parse_data": {"text": "call 415-555-0199", "entities": [{"x": 1}]}}),
        ("me", "slot", {"event": "slot", "name": "contact_phone", "value": "+14155550199"}),
        ("me", "slot", {"event": "slot", "name": "diagnosis", "value": "dermatomyositis"}),
        ("me", "bot", {"event": "bot", "text": "Here is what you told me: Weight 80 kg"}),
        ("other", "user", {"event": "user", "text": "keep me"}),
    ]  # fmt: skip
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM events")
        for sender, kind, data in rows:
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, 1, ?)",
                (sender, kind, json.dumps(data)),
            )
    erasure = erase_transcript(create_engine(f"sqlite:///{path}"), "me")
    assert (erasure.messages, erasure.replies, erasure.answers) == (1, 1, 2)
    with sqlite3.connect(path) as db:
        stored = [json.loads(d) for (d,) in db.execute("SELECT data FROM events ORDER BY id")]
    assert len(stored) == 5
    assert stored[0]["text"] == "[erased]" and stored[0]["parse_data"]["entities"] == []
    assert "415" not in json.dumps(stored[0])
    assert stored[1]["value"] is None and stored[2]["value"] is None
    assert stored[3]["text"] == "[erased]"
    assert stored[4]["text"] == "keep me"
    again = erase_transcript(create_engine(f"sqlite:///{path}"), "me")
    assert (again.messages, again.replies, again.answers) == (0, 0, 0)
