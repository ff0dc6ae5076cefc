"""Fixtures shared by the unit tests."""

import pytest
import sqlalchemy as sa

from bot.rasa_server import channel_db


@pytest.fixture
def engine(tmp_path, monkeypatch):
    """The Rasa server's own tables on a fresh SQLite tracker database, with a test key."""
    monkeypatch.setenv("CHANNEL_KEY_FILE", str(tmp_path / "channel.key"))
    monkeypatch.delenv("CHANNEL_SECRET_KEY", raising=False)
    found = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    channel_db.create_tables(found)
    channel_db.create_tables(found)  # a second replica starting: nothing happens
    return found
