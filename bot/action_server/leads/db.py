"""The leads database: SQLite file by default, PostgreSQL through DATABASE_URL; Alembic schema."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from bot import PROJECT_ROOT
from bot.startup import env

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url() -> str:
    """DATABASE_URL, or the SQLite file in var/ when it is unset or empty."""
    default = f"sqlite:///{PROJECT_ROOT / 'var' / 'leads.db'}"
    return env.text("DATABASE_URL", default)


def private_file(path: Path) -> None:
    """Creates `path` readable by its owner only (0600), or makes an existing one so. SQLite
    gives its -wal, -shm and -journal files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.chmod(companion, 0o600)


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        private_file(Path(url.removeprefix("sqlite:///")))
    engine = create_engine(url, future=True, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            connection.execute("PRAGMA foreign_keys=ON")
            # Deleted rows are overwritten with zeros, not left in free pages of the file.
            connection.execute("PRAGMA secure_delete=ON")

    return engine


def migrate(engine: Engine) -> None:
    """Brings the schema to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # two servers starting at once: one at a time
            connection.execute(text("SELECT pg_advisory_xact_lock(72015311)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
