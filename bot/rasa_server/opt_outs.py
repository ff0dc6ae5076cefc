"""Carrier keywords: a number that texted STOP gets nothing more until it texts START.

Kept by the Rasa server, in its own table (bot/rasa_server/channel_db.py).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.rasa_server.channel_db import SmsOptOut, keyed_hash


def number_hash(number: str) -> str:
    """A keyed hash, so the table holds no phone number."""
    return keyed_hash("opt-out", number)


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
