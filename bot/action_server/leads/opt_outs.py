"""Carrier keywords: a number that texted STOP gets nothing more until it texts START."""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.action_server.leads import crypto
from bot.action_server.leads.models import SmsOptOut


def number_hash(number: str) -> str:
    """A keyed hash, so the table holds no phone number."""
    return hmac.new(crypto.load_key(), number.encode(), hashlib.sha256).hexdigest()


class OptOuts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stop(self, number: str) -> None:
        with Session(self.engine) as session, session.begin():
            if session.get(SmsOptOut, number_hash(number)) is None:
                session.add(SmsOptOut(number_hash=number_hash(number)))

    def start(self, number: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(SmsOptOut).where(SmsOptOut.number_hash == number_hash(number)))

    def is_stopped(self, number: str) -> bool:
        with Session(self.engine) as session:
            query = select(SmsOptOut).where(SmsOptOut.number_hash == number_hash(number))
            return session.scalars(query).first() is not None
