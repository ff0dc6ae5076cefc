"""Twilio messages processed once: a replayed signed webhook is acknowledged and ignored.

Twilio's signature covers the URL and parameters but no time, so a captured request stays valid
for ever; its MessageSid is unique per message. Each processed sid is kept as a keyed hash for
REPLAY_WINDOW (Twilio retries within minutes), in the Rasa server's own table of the tracker
database, which every replica shares.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.rasa_server.channel_db import TwilioMessage, keyed_hash, utcnow

REPLAY_WINDOW = timedelta(days=1)
# A claim whose turn never finished (its replica died) may be taken again after this: the
# tracker store then answers a turn it already stored from the store, by its message id.
CLAIM_LIFETIME = timedelta(seconds=90)


def sid_hash(message_sid: str) -> str:
    return keyed_hash("sid", message_sid)


class SeenMessages:
    """Claim a message before its turn, confirm it after: a replay is ignored, a failed turn's
    retry is let in."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._inserted = 0

    def claim(self, message_sid: str) -> bool:
        """True if this request is to run the message's turn; False for a replay, a retry of an
        answered message or one whose turn is running elsewhere."""
        key = sid_hash(message_sid)
        try:
            with Session(self.engine) as session, session.begin():
                session.add(TwilioMessage(sid_hash=key, seen_at=utcnow(), answered=False))
        except IntegrityError:
            with Session(self.engine) as session, session.begin():
                stale = utcnow() - CLAIM_LIFETIME
                taken = session.execute(
                    update(TwilioMessage)
                    .where(TwilioMessage.sid_hash == key, TwilioMessage.answered.is_(False),
                           TwilioMessage.seen_at < stale)
                    .values(seen_at=utcnow())
                ).rowcount  # fmt: skip
            return bool(taken)
        self._inserted += 1
        if self._inserted % 500 == 1:
            self.forget_old()
        return True

    def answered(self, message_sid: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(
                update(TwilioMessage)
                .where(TwilioMessage.sid_hash == sid_hash(message_sid))
                .values(answered=True)
            )

    def release(self, message_sid: str) -> None:
        """The turn failed: a retry of the same message may run it."""
        with Session(self.engine) as session, session.begin():
            session.execute(
                delete(TwilioMessage).where(
                    TwilioMessage.sid_hash == sid_hash(message_sid),
                    TwilioMessage.answered.is_(False),
                )
            )

    def forget_old(self) -> None:
        with Session(self.engine) as session, session.begin():
            cutoff = utcnow() - REPLAY_WINDOW
            session.execute(delete(TwilioMessage).where(TwilioMessage.seen_at < cutoff))
