"""Agent sessions ended by logging out: refused from then on, on every replica.

A JWT stays valid until it expires (AGENT_SESSION_HOURS); clearing the cookie at logout does
not stop a copy of it. The session's id is kept in the Rasa server's own table of the tracker
database, which every replica shares, until the moment the token would have expired anyway.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.rasa_server.channel_db import RevokedSession, utcnow


class Revocations:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def revoke(self, session_id: str, expires_at: float) -> None:
        moment = datetime.fromtimestamp(expires_at, timezone.utc)
        with Session(self.engine) as session, session.begin():
            session.execute(delete(RevokedSession).where(RevokedSession.expires_at < utcnow()))
            if session.get(RevokedSession, session_id) is None:
                session.add(RevokedSession(session_id=session_id, expires_at=moment))

    def is_revoked(self, session_id: str) -> bool:
        with Session(self.engine) as session:
            query = select(RevokedSession.session_id).where(RevokedSession.session_id == session_id)
            return session.scalars(query).first() is not None
