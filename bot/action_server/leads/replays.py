"""Twilio messages processed once: a replayed signed webhook is acknowledged and ignored.

Twilio's signature covers the URL and parameters but no time, so a captured request stays valid
for ever; its MessageSid is unique per message. Each processed sid is kept as a keyed hash for
REPLAY_WINDOW (Twilio retries within minutes), in the leads database that every replica shares.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.action_server.leads import crypto
from bot.action_server.leads.models import TwilioMessage, utcnow

REPLAY_WINDOW = timedelta(days=1)


def sid_hash(message_sid: str) -> str:
    return hmac.new(crypto.load_key(), f"sid:{message_sid}".encode(), hashlib.sha256).hexdigest()


class SeenMessages:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._inserted = 0

    def first_time(self, message_sid: str) -> bool:
        """Records the message; False if it was recorded before (a replay or a retry)."""
        try:
            with Session(self.engine) as session, session.begin():
                session.add(TwilioMessage(sid_hash=sid_hash(message_sid), seen_at=utcnow()))
        except IntegrityError:
            return False
        self._inserted += 1
        if self._inserted % 500 == 1:
            self.forget_old()
        return True

    def forget_old(self) -> None:
        with Session(self.engine) as session, session.begin():
            cutoff = utcnow() - REPLAY_WINDOW
            session.execute(delete(TwilioMessage).where(TwilioMessage.seen_at < cutoff))
