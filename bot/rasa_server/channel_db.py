"""The Rasa server's own tables and secret: SMS opt-outs, processed Twilio messages, ended agent
console sessions.

They live in the tracker database, which the Rasa server alone owns (the action server owns
the leads database and never sees these), so every replica shares them. Phone numbers and
message ids are kept only as hashes keyed by the channel secret: CHANNEL_SECRET_KEY, or in
development a key generated once into CHANNEL_KEY_FILE (default var/channel.key, mode 0600).
The same secret keys the conversation ids (bot/rasa_server/channels/ids.py).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import declarative_base

from bot import PROJECT_ROOT
from bot.rasa_server.retention import tracker_url
from bot.startup import env
from bot.startup.keyfile import random_secret, read_or_create

ChannelBase = declarative_base()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SmsOptOut(ChannelBase):
    """A number that texted STOP, kept only as a keyed hash."""

    __tablename__ = "channel_sms_opt_outs"

    number_hash = Column(String(64), primary_key=True)
    opted_out_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class TwilioMessage(ChannelBase):
    """A processed Twilio MessageSid, as a keyed hash (bot/rasa_server/replays.py)."""

    __tablename__ = "channel_twilio_messages"

    sid_hash = Column(String(64), primary_key=True)
    seen_at = Column(DateTime(timezone=True), nullable=False, index=True)
    answered = Column(Boolean, nullable=False, default=False)  # False: its turn is running


class RevokedSession(ChannelBase):
    """An agent console session that logged out, until it would have expired."""

    __tablename__ = "channel_revoked_agent_sessions"

    session_id = Column(String(64), primary_key=True)
    expires_at = Column(DateTime(timezone=True), nullable=False, index=True)


class SmsOutboxRow(ChannelBase):
    """A text waiting for Twilio (bot/rasa_server/sms_outbox.py); number and body encrypted."""

    __tablename__ = "channel_sms_outbox"
    __table_args__ = {"sqlite_autoincrement": True}

    id = Column(Integer, primary_key=True)
    conversation = Column(String(80), nullable=False, index=True)
    sender = Column(String(40), nullable=False)
    to_enc = Column(Text, nullable=False)
    body_enc = Column(Text, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, index=True)
    claimed_until = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


def secret() -> bytes:
    return _secret(env.text("CHANNEL_SECRET_KEY"), env.text("CHANNEL_KEY_FILE"))


@lru_cache(maxsize=4)
def _secret(configured: str, path: str) -> bytes:
    if configured:
        return configured.encode()
    return read_or_create(Path(path or PROJECT_ROOT / "var" / "channel.key"), random_secret)


def keyed_hash(purpose: str, value: str) -> str:
    """A hash nobody without the channel secret can link back to the value."""
    return hmac.new(secret(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


_lock = threading.Lock()
_engines: dict[str, Engine] = {}


def engine() -> Engine:
    """This process's engine for its tables, created on the first call; tables made if missing."""
    url = tracker_url()
    with _lock:
        found = _engines.get(str(url))
        if found is None:
            found = sa.create_engine(url, pool_pre_ping=True)
            create_tables(found)
            _engines[str(url)] = found
        return found


def create_tables(engine: Engine) -> None:
    """Idempotent, and safe when replicas start together: on PostgreSQL one at a time under an
    advisory lock (CREATE TABLE IF NOT EXISTS still races on PostgreSQL's catalog)."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(72015310)"))
        ChannelBase.metadata.create_all(connection, checkfirst=True)
