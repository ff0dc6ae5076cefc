"""Storing referrals: one lead per handoff, its outbox message, erasure with an audit row.

SQLAlchemy 1.4 with the 2.0-style API (`select`, `Session(engine)`, `future=True`). Idempotent:
a retried action or a double submit with the same key returns the lead already stored.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.action_server.leads import crypto
from bot.action_server.leads.models import (
    LEAD_MESSAGE,
    NOTES_MESSAGE,
    STATUSES,
    ErasureAudit,
    IssuedLead,
    Lead,
    OutboxMessage,
    utcnow,
)


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    method: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class NewLead:
    idempotency_key: str
    conversation_id: str
    channel: str
    contact: Contact
    consent_at: datetime
    topics: Sequence[str] = ()
    screening: dict[str, Any] = field(default_factory=dict)
    outcome: Sequence[str] = ()
    safety_flags: Sequence[str] = ()


@dataclass(frozen=True)
class LeadView:
    """A lead with its contact fields decrypted, for the specialist and the notification."""

    id: int
    reference: str
    status: str
    conversation_id: str
    channel: str
    contact: Contact
    topics: list[str]
    screening: dict[str, Any]
    outcome: list[str]
    safety_flags: list[str]
    consent_at: datetime
    created_at: datetime
    call_notes: str | None = None
    wrap_up: str | None = None
    notes_at: datetime | None = None


@dataclass(frozen=True)
class Due:
    """An outbox message to send now: which lead, and whether it is the referral or its notes."""

    message_id: int
    kind: str
    lead: LeadView


def _reference() -> str:
    return "L-" + secrets.token_hex(4).upper()


class LeadStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, new: NewLead) -> tuple[LeadView, bool]:
        """Stores the lead and queues its notification; returns (lead, created)."""
        existing = self._by_key(new.idempotency_key)
        if existing is not None:
            return existing, False
        contact = new.contact
        lead = Lead(
            idempotency_key=new.idempotency_key,
            conversation_id=new.conversation_id,
            channel=new.channel,
            status="new",
            name_enc=crypto.encrypt(contact.name),
            phone_enc=crypto.encrypt(contact.phone),
            email_enc=crypto.encrypt(contact.email),
            contact_method=contact.method,
            contact_time=contact.time,
            topics=list(new.topics),
            screening=dict(new.screening),
            outcome=list(new.outcome),
            safety_flags=list(new.safety_flags),
            consent_at=new.consent_at,
        )
        try:
            with Session(self.engine) as session, session.begin():
                # The number and reference come from a table rows never leave, so neither is
                # ever given to a second person after an erasure.
                issued = IssuedLead(reference=_reference())
                session.add(issued)
                session.flush()
                lead.id, lead.reference = issued.id, issued.reference
                session.add(lead)
                session.flush()
                lead_id = lead.id
                session.add(OutboxMessage(lead_id=lead_id, kind=LEAD_MESSAGE, status="pending",
                                          attempts=0))  # fmt: skip
        except IntegrityError:  # the same handoff, stored by a concurrent retry
            existing = self._by_key(new.idempotency_key)
            if existing is None:
                raise
            return existing, False
        created = self.get(lead_id)
        assert created is not None
        return created, True

    def _by_key(self, key: str) -> LeadView | None:
        with Session(self.engine) as session:
            lead = session.scalars(select(Lead).where(Lead.idempotency_key == key)).first()
            return _view(lead) if lead else None

    def get(self, lead_id: int | str) -> LeadView | None:
        with Session(self.engine) as session:
            column = Lead.reference if str(lead_id).startswith("L-") else Lead.id
            lead = session.scalars(select(Lead).where(column == lead_id)).first()
            return _view(lead) if lead else None

    def list(self, status: str | None = None) -> list[LeadView]:
        with Session(self.engine) as session:
            query = select(Lead).order_by(Lead.created_at)
            if status:
                query = query.where(Lead.status == status)
            return [_view(lead) for lead in session.scalars(query)]

    def set_status(self, lead_id: int | str, status: str) -> bool:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        lead = self.get(lead_id)
        if lead is None:
            return False
        with Session(self.engine) as session, session.begin():
            session.execute(update(Lead).where(Lead.id == lead.id).values(status=status))
        return True

    def save_call_notes(
        self, reference: str, conversation_id: str, notes: str, wrap_up: str
    ) -> LeadView | None:
        """Stores an agent's notes and wrap-up with the call's referral (replacing earlier
        ones) and queues their notification; None when the conversation has no such referral,
        so a call can never write into another call's lead."""
        with Session(self.engine) as session, session.begin():
            lead = session.scalars(
                select(Lead).where(
                    Lead.reference == reference, Lead.conversation_id == conversation_id
                )
            ).first()
            if lead is None:
                return None
            lead.call_notes_enc = crypto.encrypt(notes or None)
            lead.wrap_up = wrap_up
            lead.notes_at = utcnow()
            session.add(OutboxMessage(lead_id=lead.id, kind=NOTES_MESSAGE, status="pending",
                                      attempts=0))  # fmt: skip
            lead_id = lead.id
        return self.get(lead_id)

    def erase_conversation(self, conversation_id: str) -> int:
        """Deletes the conversation's leads (their outbox rows go with them) and audits it."""
        return len(self.erase(conversation_id))

    def erase(self, conversation_id: str) -> list[str]:
        """Deletes the conversation's leads and outbox rows, audits it, and returns the
        references erased. On SQLite the freed pages are zeroed (secure_delete, see db.py)
        and the write-ahead log is checkpointed, so no old value stays readable in a file."""
        with Session(self.engine) as session, session.begin():
            rows = session.execute(
                select(Lead.id, Lead.reference).where(Lead.conversation_id == conversation_id)
            ).all()
            ids = [row.id for row in rows]
            if ids:
                session.execute(delete(OutboxMessage).where(OutboxMessage.lead_id.in_(ids)))
                session.execute(delete(Lead).where(Lead.id.in_(ids)))
            session.add(ErasureAudit(leads_erased=len(ids)))
        checkpoint(self.engine)
        return [row.reference for row in rows]

    # The outbox ---------------------------------------------------------------------------
    def due(self, now: datetime | None = None, limit: int = 20) -> list[Due]:
        now = now or utcnow()
        with Session(self.engine) as session:
            rows = session.execute(
                select(OutboxMessage.id, OutboxMessage.kind, Lead)
                .join(Lead, Lead.id == OutboxMessage.lead_id)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
                .limit(limit)
            ).all()
            return [Due(message_id, kind, _view(lead)) for message_id, kind, lead in rows]

    def delivered(self, message_id: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    status="delivered",
                    delivered_at=utcnow(),
                    attempts=OutboxMessage.attempts + 1,
                )
            )

    def failed(self, message_id: int, error: str, retry_in: timedelta) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(
                    attempts=OutboxMessage.attempts + 1,
                    last_error=error[:300],
                    next_attempt_at=utcnow() + retry_in,
                )
            )

    def attempts(self, message_id: int) -> int:
        with Session(self.engine) as session:
            value = session.scalar(
                select(OutboxMessage.attempts).where(OutboxMessage.id == message_id)
            )
            return int(value or 0)

    def pending_count(self) -> int:
        with Session(self.engine) as session:
            query = select(func.count()).where(OutboxMessage.status == "pending")
            return int(session.scalar(query) or 0)


def checkpoint(engine: Engine) -> None:
    """Folds SQLite's write-ahead log into the database and empties it (no-op elsewhere)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _view(lead: Lead) -> LeadView:
    return LeadView(
        id=lead.id,
        reference=lead.reference,
        status=lead.status,
        conversation_id=lead.conversation_id,
        channel=lead.channel,
        contact=Contact(
            name=crypto.decrypt(lead.name_enc),
            phone=crypto.decrypt(lead.phone_enc),
            email=crypto.decrypt(lead.email_enc),
            method=lead.contact_method,
            time=lead.contact_time,
        ),
        topics=list(lead.topics or []),
        screening=dict(lead.screening or {}),
        outcome=list(lead.outcome or []),
        safety_flags=list(lead.safety_flags or []),
        consent_at=lead.consent_at,
        created_at=lead.created_at,
        call_notes=crypto.decrypt(lead.call_notes_enc),
        wrap_up=lead.wrap_up,
        notes_at=lead.notes_at,
    )
