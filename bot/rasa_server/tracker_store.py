"""Rasa's SQL tracker store without re-reading the whole conversation on every message.

Rasa's `SQLTrackerStore` loads and decodes every event of the session on each message and
counts the stored rows before each save, so a turn gets slower as a conversation grows (a
screening is 10 to 20 turns; measured on Rasa 3.6: about 52 ms on a first message, 110 ms on
a continuing one, 315 to 400 ms after 250 messages). This store keeps the decoded events of
recent conversations in memory and asks the database only for rows added since (by another
replica), then writes only the new events. The database stays the record: every event is
written as before, and anything unusual (a new session, an erasure, a tracker that does not
continue the cached one) drops the cached copy and reads the database again.

Correct with several replicas because the lock store runs one turn of a conversation at a
time across them, and event rows are only appended (erasure rewrites rows, and is noticed).
Selected in endpoints.yml; `TRACKER_CACHE_CONVERSATIONS` and `TRACKER_CACHE_SECONDS` bound it.

Faults: the store never answers from something the database does not hold. Pooled connections
are pinged before use (`pool_pre_ping`), so after a database restart stale ones are replaced
instead of failing the next turn; while the database is down every read and write raises, and
`bot/rasa_server/store_failsafe.py` keeps Rasa from swallowing that into an in-memory store. The
cached
copy changes only after a write committed, so a failed turn leaves it as the database has it.
"""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    SlotSet,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.erasure import ERASE, FORGET_CONTACT, REWRITE_SLOT, Erasure
from bot.rasa_server import rasa_patches
from bot.rasa_server.retention import erase_transcript, forget_contact_answers
from bot.startup import env

logger = logging.getLogger(__name__)

REWRITES = {ERASE: erase_transcript, FORGET_CONTACT: forget_contact_answers}


_EVENTS = SQLTrackerStore.SQLEvent.__table__
# Built once: SQLAlchemy compiles and caches Core statements, not ORM queries built per call.
_ROWS_SINCE = (
    sa.select(_EVENTS.c.id, _EVENTS.c.data)
    .where(_EVENTS.c.sender_id == sa.bindparam("sender"), _EVENTS.c.id > sa.bindparam("after"))
    .order_by(_EVENTS.c.id)
)


@dataclass
class _Cached:
    events: list[Event]
    last_id: int
    loaded_at: float = field(default_factory=time.monotonic)


def _invalidates(event: Event) -> bool:
    """A new session, or a rewrite of older rows (stored by another replica): reread."""
    if isinstance(event, SessionStarted):
        return True
    if isinstance(event, SlotSet) and event.key == REWRITE_SLOT:  # blanked by then, maybe
        return True
    return isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME


class CachedSQLTrackerStore(SQLTrackerStore):
    """See the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        size = kwargs.pop("cache_conversations", None)
        seconds = kwargs.pop("cache_seconds", None)
        rasa_patches.install()
        super().__init__(*args, **kwargs)
        self.cache_size = int(size or env.integer("TRACKER_CACHE_CONVERSATIONS", 500))
        self.cache_seconds = float(seconds or env.number("TRACKER_CACHE_SECONDS", 600))
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        if self.engine.dialect.name == "sqlite" and self.engine.url.database:
            self.engine = _pooled_sqlite(self.engine)
        elif self.engine.dialect.name != "sqlite":
            self.engine = _pinged(self.engine)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    def _cached(self, sender_id: str) -> _Cached | None:
        entry = self._cache.get(sender_id)
        if entry is None:
            return None
        if time.monotonic() - entry.loaded_at > self.cache_seconds:
            del self._cache[sender_id]
            return None
        self._cache.move_to_end(sender_id)
        return entry

    def _remember(self, sender_id: str, entry: _Cached) -> None:
        self._cache[sender_id] = entry
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._cache.pop(sender_id, None)

    def _tracker(self, sender_id: str, events: list[Event]) -> DialogueStateTracker:
        # Every event of the session, as Rasa's SQL store returns it: a tracker cut to
        # `max_event_history` would not continue the copy, and its next save would lose events.
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        if not self.domain:
            return await super().retrieve(sender_id)
        entry = self._cached(sender_id)
        if entry is not None and self._catch_up(sender_id, entry):
            return self._tracker(sender_id, entry.events)
        events = self._read_session(sender_id)
        return self._tracker(sender_id, events) if events is not None else None

    async def session_events(self, sender_id: str) -> list[Event] | None:
        """The session's events, no tracker built (for the replay check of store_failsafe)."""
        entry = self._cached(sender_id)
        if entry is not None and self._catch_up(sender_id, entry):
            return list(entry.events)
        return self._read_session(sender_id)

    def _read_session(self, sender_id: str) -> list[Event] | None:
        """The latest session's events as the database holds them, remembered; None if none."""
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        if not rows:
            return None
        events = deserialise_events([json.loads(row.data) for row in rows])
        self._remember(sender_id, _Cached(events, rows[-1].id))
        return events

    def _catch_up(self, sender_id: str, entry: _Cached) -> bool:
        """Adds rows other replicas stored since; False when the copy must be reread."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                _ROWS_SINCE, {"sender": sender_id, "after": entry.last_id}
            ).all()
        if not rows:
            return True
        added = deserialise_events([json.loads(row.data) for row in rows])
        if any(_invalidates(event) for event in added):
            self.forget(sender_id)
            return False
        entry.events.extend(added)
        entry.last_id = rows[-1].id
        return True

    async def save(self, tracker: DialogueStateTracker) -> None:
        entry = self._cached(tracker.sender_id)
        events = list(tracker.events)
        stored = len(entry.events) if entry else 0
        continues = (
            entry is not None
            and len(events) >= stored
            and (stored == 0 or events[stored - 1] is entry.events[-1])
        )
        if not continues:
            self.forget(tracker.sender_id)
            await super().save(tracker)
            self._remember_saved(tracker, events)
            return
        await self.stream_events(tracker)
        new = events[stored:]
        if not new:
            return
        with self.engine.begin() as connection:  # one transaction, Core inserts (no ORM flush)
            for event in new:
                result = connection.execute(_EVENTS.insert(), self._row(tracker.sender_id, event))
            last_id = result.inserted_primary_key[0]
        if any(_invalidates(event) for event in new):
            self.forget(tracker.sender_id)
        else:
            entry.events.extend(new)
            entry.last_id = last_id
        logger.debug("Stored %d new events of a conversation", len(new))

    async def rewrite(self, tracker: DialogueStateTracker, kind: str) -> Erasure | None:
        """Applies an erasure request (bot/core/erasure.py) to this store's own rows: the turn
        so far is stored first, so the request reaches every row the conversation has. Returns
        what an erasure changed (None for the contact-details rewrite); raises if the database
        cannot do it, and the caller then says so."""
        await self.save(tracker)
        self.forget(tracker.sender_id)
        result = REWRITES[kind](self.engine, tracker.sender_id)
        return result if isinstance(result, Erasure) else None

    def _remember_saved(self, tracker: DialogueStateTracker, events: list[Event]) -> None:
        """After a save by Rasa's path, keep what the database now holds, not the tracker.

        Rasa's save appends only the events beyond the number already stored, so a tracker
        that replaces the conversation (`PUT /conversations/<id>/tracker/events`) is not what
        the rows hold; reading them back is what the next retrieve by Rasa's store returns.
        """
        if any(_invalidates(event) for event in events):
            return
        self._read_session(tracker.sender_id)

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The columns Rasa's own store writes for an event."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get("name"),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }


def own_store(store: Any) -> Any:
    """The configured tracker store inside Rasa's FailSafeTrackerStore wrapper, if wrapped."""
    return getattr(store, "_tracker_store", store)


def _pinged(engine: sa.engine.Engine) -> sa.engine.Engine:
    """The same engine, with each pooled connection checked before use.

    After a database restart every pooled connection is dead; without the ping the first
    query on each fails a turn, one after the other, long after the database is back.
    """
    engine.dispose()
    kwargs = create_engine_kwargs(engine.url)
    if engine.dialect.name == "postgresql":
        # A server that accepts but does not answer (shutting down) holds the event loop:
        # Rasa's SQL store is synchronous. Bounded here.
        kwargs["connect_args"] = {"connect_timeout": 3, **kwargs.get("connect_args", {})}
    return sa.create_engine(engine.url, pool_pre_ping=True, **kwargs)


def _pooled_sqlite(engine: sa.engine.Engine) -> sa.engine.Engine:
    """A kept connection instead of a new one per query (SQLAlchemy 1.4's default for files),
    in WAL mode: readers don't block the writer and a commit needs no fsync of the database."""
    engine.dispose()
    pooled = sa.create_engine(
        engine.url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False}
    )

    @sa.event.listens_for(pooled, "connect")
    def _on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return pooled
