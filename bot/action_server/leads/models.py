"""The referral tables: leads, the notification outbox, the erasure audit and issued numbers."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()

STATUSES = ("new", "contacted", "closed")
# What an outbox row sends: the referral itself, or call notes added to it later.
LEAD_MESSAGE, NOTES_MESSAGE = "lead", "call_notes"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Lead(Base):
    __tablename__ = "leads"

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, nullable=False)
    idempotency_key = Column(String(200), unique=True, nullable=False)
    conversation_id = Column(String(200), index=True, nullable=False)
    channel = Column(String(40), nullable=False)
    status = Column(String(20), nullable=False, default="new")
    # Contact fields are Fernet tokens (bot/action_server/leads/crypto.py), never plain text.
    name_enc = Column(Text)
    phone_enc = Column(Text)
    email_enc = Column(Text)
    contact_method = Column(String(20))
    contact_time = Column(String(40))
    topics = Column(JSON, nullable=False, default=list)
    screening = Column(JSON, nullable=False, default=dict)
    outcome = Column(JSON, nullable=False, default=list)
    safety_flags = Column(JSON, nullable=False, default=list)
    # What the agent wrote at the end of a call (Fernet token) and its wrap-up key.
    call_notes_enc = Column(Text)
    wrap_up = Column(String(40))
    notes_at = Column(DateTime(timezone=True))
    consent_at = Column(DateTime(timezone=True), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


class OutboxMessage(Base):
    """One notification to deliver; the payload is built from the lead at send time, so no
    plain contact data sits in this table."""

    __tablename__ = "outbox"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False)
    kind = Column(String(20), nullable=False, default=LEAD_MESSAGE, server_default=LEAD_MESSAGE)
    status = Column(String(20), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_error = Column(String(300))
    delivered_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class ErasureAudit(Base):
    """That an erasure happened, and when; nothing of what was erased."""

    __tablename__ = "erasure_audit"

    id = Column(Integer, primary_key=True)
    leads_erased = Column(Integer, nullable=False)
    erased_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class IssuedLead(Base):
    """Every lead number and reference ever given out; never deleted, so never reused."""

    __tablename__ = "issued_leads"
    __table_args__ = {"sqlite_autoincrement": True}

    id = Column(Integer, primary_key=True)
    reference = Column(String(16), unique=True, nullable=False)
