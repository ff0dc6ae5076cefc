"""Texts to SMS and WhatsApp users, queued durably before they go to Twilio.

A reply is written to the Rasa server's own table first (number and body encrypted with a key
derived from the channel secret), then sent; a text Twilio refuses (its API down, a 5xx, a
timeout) stays queued and is retried with backoff by every replica's retry loop, oldest first
per conversation so the texts keep their order, until it is sent or a day old. A row is claimed
before its send, so two replicas never send the same text; a sent row is deleted at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone

from cryptography.fernet import Fernet
from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.rasa_server.channel_db import SmsOutboxRow, secret, utcnow

logger = logging.getLogger(__name__)

Send = Callable[[str, str, str], Awaitable[None]]  # (from, to, body)
CLAIM = timedelta(seconds=30)  # a replica that died mid-send frees its text after this
GIVE_UP = timedelta(days=1)  # an answer to a day-old text is no use; it is dropped and logged
MAX_BACKOFF_SECONDS = 300


def _fernet() -> Fernet:
    key = hmac.new(secret(), b"sms-outbox", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _aware(moment: datetime) -> datetime:
    """SQLite gives back the UTC time it was given, without its zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(2 ** max(attempts, 1), MAX_BACKOFF_SECONDS))


class SmsOutbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def enqueue(self, conversation: str, sender: str, to: str, parts: list[str]) -> None:
        fernet = _fernet()
        with Session(self.engine) as session, session.begin():
            for part in parts:
                session.add(
                    SmsOutboxRow(
                        conversation=conversation,
                        sender=sender,
                        to_enc=fernet.encrypt(to.encode()).decode(),
                        body_enc=fernet.encrypt(part.encode()).decode(),
                        next_attempt_at=utcnow(),
                    )
                )

    def _claim_oldest(self, conversation: str) -> SmsOutboxRow | None:
        """The conversation's oldest queued text, claimed; None if none is due or another
        replica is sending one of its texts now (order is kept by sending one at a time)."""
        now = utcnow()
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            row = session.scalars(
                select(SmsOutboxRow)
                .where(SmsOutboxRow.conversation == conversation)
                .order_by(SmsOutboxRow.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            taken = session.execute(
                update(SmsOutboxRow)
                .where(
                    SmsOutboxRow.id == row.id,
                    SmsOutboxRow.next_attempt_at <= now,
                    or_(SmsOutboxRow.claimed_until.is_(None), SmsOutboxRow.claimed_until < now),
                )
                .values(claimed_until=now + CLAIM)
                .execution_options(synchronize_session=False)  # compared in SQL, not Python
            ).rowcount
            return row if taken else None

    async def flush(self, conversation: str, send: Send, stopped: Callable[[str], bool]) -> bool:
        """Sends the conversation's due texts in order; False if one stays queued."""
        fernet = _fernet()
        while (row := self._claim_oldest(conversation)) is not None:
            to = fernet.decrypt(row.to_enc.encode()).decode()
            if utcnow() - _aware(row.created_at) > GIVE_UP or stopped(to):
                if not stopped(to):
                    logger.error("A text queued for a day was dropped (Twilio never took it)")
                self._delete(row.id)
                continue
            try:
                await send(row.sender, to, fernet.decrypt(row.body_enc.encode()).decode())
            except Exception as error:  # Twilio down, refused, 5xx, timeout: kept for later
                logger.warning("Twilio refused a text (%s); it stays queued", type(error).__name__)
                self._failed(row.id, row.attempts + 1)
                return False
            self._delete(row.id)
        return True

    def due_conversations(self) -> list[str]:
        now = utcnow()
        with Session(self.engine) as session:
            return list(
                session.scalars(
                    select(SmsOutboxRow.conversation)
                    .where(
                        and_(
                            SmsOutboxRow.next_attempt_at <= now,
                            or_(
                                SmsOutboxRow.claimed_until.is_(None),
                                SmsOutboxRow.claimed_until < now,
                            ),
                        )
                    )
                    .distinct()
                )
            )

    def pending(self) -> int:
        with Session(self.engine) as session:
            return session.scalar(select(func.count()).select_from(SmsOutboxRow)) or 0

    def _delete(self, row_id: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(SmsOutboxRow).where(SmsOutboxRow.id == row_id))

    def _failed(self, row_id: int, attempts: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(SmsOutboxRow)
                .where(SmsOutboxRow.id == row_id)
                .values(
                    attempts=attempts,
                    claimed_until=None,
                    next_attempt_at=utcnow() + backoff(attempts),
                )
            )
