"""The caching SQL tracker store against Rasa's own, on SQLite and a real PostgreSQL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import PROJECT_ROOT
from bot.core.erasure import ERASE, ERASED, REWRITE_SLOT, erase_request
from bot.rasa_server.tracker_store import CachedSQLTrackerStore
from tests.aio import run
from tests.services import postgres_server

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture(scope="module")
def postgres_url():
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        return {"dialect": "sqlite", "db": str(tmp_path / "tracker.db")}
    url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()
    return {"host": url}


def cached(database, **kwargs) -> CachedSQLTrackerStore:
    return CachedSQLTrackerStore(domain=DOMAIN, **database, **kwargs)


def turn(text: str, answer: str, **slots) -> list:
    events = [
        UserUttered(text, {"name": "faq", "confidence": 0.9}),
        *(SlotSet(name, value) for name, value in slots.items()),
        ActionExecuted("utter_answer"),
        BotUttered(answer),
        ActionExecuted("action_listen"),
    ]
    return events


async def converse(store, sender: str, turns: list[list], max_history: int | None = None) -> None:
    """Each turn reads the conversation once and stores what it added, as Rasa's processor does."""
    for events in turns:
        tracker = await store.get_or_create_tracker(sender, max_event_history=max_history)
        for event in events:
            tracker.update(event)
        await store.save(tracker)


def rows(store, sender: str) -> list[tuple]:
    """The stored events, without their timestamps (two conversations started apart)."""
    with store.engine.connect() as connection:
        result = connection.execute(
            sa.text(
                "SELECT type_name, intent_name, action_name, data FROM events "
                "WHERE sender_id = :sender ORDER BY id"
            ),
            {"sender": sender},
        )
        stored = []
        for type_name, intent, action, data in result:
            event = json.loads(data)
            event.pop("timestamp", None)
            stored.append((type_name, intent, action, event))
        return stored


@contextmanager
def statements(store) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(" ".join(statement.split()))

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)


TURNS = [
    turn("what is ivig", "IVIG is ...", last_topic="what_is_ivig"),
    turn("side effects?", "Headache ...", diagnosis="dermatomyositis"),
    turn("thanks", "You're welcome."),
]


def test_a_conversation_is_stored_row_for_row_as_rasas_own_store_stores_it(database):
    ours = cached(database)
    run(converse(ours, "ours", TURNS))
    ours.engine.dispose()
    theirs = SQLTrackerStore(domain=DOMAIN, **database)
    # The same events, replayed through Rasa's store under another sender id.
    tracker = run(ours.retrieve("ours"))
    copy = run(theirs.get_or_create_tracker("theirs"))
    for event in list(tracker.events)[len(copy.events) :]:
        copy.update(event)
    run(theirs.save(copy))
    assert rows(ours, "ours") == rows(theirs, "theirs")
    assert len(rows(ours, "ours")) == len(tracker.events)


def test_a_continuing_conversation_reads_only_the_rows_added_since(database):
    store = cached(database)
    run(converse(store, "c", TURNS[:2]))
    with statements(store) as seen:
        run(converse(store, "c", TURNS[2:]))
    selects = [s for s in seen if s.startswith("SELECT")]
    assert len(selects) == 1 and "events.id >" in selects[0]
    assert not any("count(" in s.lower() for s in seen)
    tracker = run(store.retrieve("c"))
    assert tracker.get_slot("diagnosis") == "dermatomyositis"
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "what is ivig", "side effects?", "thanks",
    ]  # fmt: skip


def test_the_second_turn_of_a_new_conversation_is_already_served_from_memory(database):
    store = cached(database)
    run(converse(store, "new", TURNS[:1]))
    with statements(store) as seen:
        run(converse(store, "new", TURNS[1:2]))
    selects = [s for s in seen if s.startswith("SELECT")]
    assert len(selects) == 1 and "events.id >" in selects[0]


def test_turns_another_replica_stored_are_seen_and_continued(database):
    one, two = cached(database), cached(database)
    run(converse(one, "shared", TURNS[:1]))
    run(converse(two, "shared", TURNS[1:2]))  # two reads what one stored
    run(converse(one, "shared", TURNS[2:]))  # one catches up on what two stored
    tracker = run(two.retrieve("shared"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [
        "what is ivig", "side effects?", "thanks",
    ]  # fmt: skip
    assert tracker.get_slot("diagnosis") == "dermatomyositis"
    expected = len(run(one.retrieve("shared")).events)
    assert len(rows(one, "shared")) == expected  # nothing stored twice


def erase_turn(store, sender: str):
    """The turn in which the action server asks for an erasure, as the Rasa server runs it:
    the action's events are on the tracker, then the store applies the request."""
    tracker = run(store.get_or_create_tracker(sender))
    for event in (UserUttered("delete my data", {"name": "erase_my_data", "confidence": 1.0}),
                  ActionExecuted("action_erase_my_data"),
                  SlotSet(REWRITE_SLOT, erase_request([]))):  # fmt: skip
        tracker.update(event)
    erasure = run(store.rewrite(tracker, ERASE))
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    return erasure


def test_an_erasure_request_is_applied_by_the_store_to_its_own_rows(database):
    store = cached(database)
    run(converse(store, "erase", [turn("call me at 415-555-0142", "Thanks.", diagnosis="pm")]))
    assert run(store.retrieve("erase")) is not None  # cached now
    erasure = erase_turn(store, "erase")
    assert (erasure.messages, erasure.replies, erasure.answers) == (2, 1, 2)  # + the request
    tracker = run(store.retrieve("erase"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == [ERASED, ERASED]
    assert "415-555-0142" not in json.dumps(rows(store, "erase"))
    assert len(rows(store, "erase")) == len(tracker.events)  # rewritten, nothing stored twice


def test_another_replica_rereads_a_conversation_another_one_erased(database):
    one, two = cached(database), cached(database)
    run(converse(one, "shared-erase", [turn("my email is ana@example.com", "Thanks.")]))
    assert run(two.retrieve("shared-erase")) is not None  # two has it cached
    erase_turn(one, "shared-erase")
    texts = [e.text for e in run(two.retrieve("shared-erase")).events if isinstance(e, UserUttered)]
    assert texts == [ERASED, ERASED]


def test_a_new_session_is_read_back_from_the_database(database):
    store = cached(database)
    run(converse(store, "s", TURNS[:1]))
    run(converse(store, "s", [[ActionExecuted("action_session_start"), SessionStarted()]]))
    run(converse(store, "s", TURNS[1:2]))
    tracker = run(store.retrieve("s"))
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert texts == ["side effects?"]  # only the latest session, as Rasa's store returns


def test_the_cache_keeps_a_bounded_number_of_recent_conversations(database):
    store = cached(database, cache_conversations=2)
    for sender in ("a", "b", "c"):
        run(converse(store, sender, TURNS[:2]))
    assert list(store._cache) == ["b", "c"]
    assert run(store.retrieve("a")).get_slot("diagnosis") == "dermatomyositis"  # from the db


def test_cached_conversations_expire(database):
    store = cached(database, cache_seconds=0.001)
    run(converse(store, "old", TURNS[:2]))
    time.sleep(0.05)  # 50 times the cache's lifetime
    with statements(store) as seen:
        tracker = run(store.retrieve("old"))
    assert any("max(events.timestamp)" in s for s in seen)  # Rasa's full session query
    assert tracker.get_slot("diagnosis") == "dermatomyositis"


def test_a_save_that_replaces_the_conversation_is_served_as_the_database_holds_it(database):
    """Rasa's `PUT /conversations/<id>/tracker/events` saves a tracker that does not continue
    the cached one; Rasa's own store, the reference, returns what its rows hold afterwards."""
    ours = cached(database)
    run(converse(ours, "replaced", TURNS[:2]))
    stored = run(ours.retrieve("replaced"))
    # As many events as are stored, other ones: Rasa's save appends only beyond that count.
    other = [event for n in range(len(stored.events)) for event in turn(f"other {n}", "Other.")]
    replacement = DialogueStateTracker.from_events(
        "replaced", other[: len(stored.events)], DOMAIN.slots
    )
    assert len(replacement.events) == len(stored.events)
    run(ours.save(replacement))
    theirs = SQLTrackerStore(domain=DOMAIN, **database)
    expected = [e.as_dict() for e in run(theirs.retrieve("replaced")).events]
    assert [e.as_dict() for e in run(ours.retrieve("replaced")).events] == expected
    assert [e.as_dict() for e in run(cached(database).retrieve("replaced")).events] == expected


def test_max_event_history_does_not_cut_the_conversation_the_next_save_continues(database):
    ours, theirs = cached(database), SQLTrackerStore(domain=DOMAIN, **database)
    # Rasa's processor asks for each turn's tracker with its policies' max_history.
    run(converse(ours, "ours-long", TURNS, max_history=4))
    run(converse(theirs, "theirs-long", TURNS, max_history=4))
    assert rows(ours, "ours-long") == rows(theirs, "theirs-long")
    assert len(run(ours.retrieve("ours-long")).events) == len(
        run(theirs.retrieve("theirs-long")).events
    )


@pytest.fixture
def postgres(postgres_url):
    from tests.integration.test_faults import RestartablePostgres

    return RestartablePostgres(postgres_url)


def test_after_a_database_restart_the_next_turns_succeed_on_fresh_connections(
    postgres_url, postgres
):
    store = cached({"host": postgres_url}, cache_seconds=0.001)  # every turn reads the database
    for sender in ("p1", "p2", "p3"):
        run(converse(store, sender, TURNS[:1]))
    postgres.stop()
    postgres.start()
    for sender in ("p1", "p2", "p3"):  # stale pooled connections are replaced, none fails
        run(converse(store, sender, TURNS[1:2]))
        assert run(store.retrieve(sender)).get_slot("diagnosis") == "dermatomyositis"


def test_with_the_database_down_a_turn_fails_instead_of_starting_from_nothing(
    postgres_url, postgres
):
    """Rasa's FailSafeTrackerStore would return no tracker and save into memory."""
    from rasa.core.tracker_store import FailSafeTrackerStore

    from bot.rasa_server import store_failsafe

    store_failsafe.install()
    store = FailSafeTrackerStore(cached({"host": postgres_url}))
    run(converse(store, "down", TURNS[:1]))
    postgres.stop()
    try:
        with pytest.raises(store_failsafe.TrackerStoreUnavailableError):
            run(store.retrieve("down"))
        tracker = DialogueStateTracker.from_events("down", turn("x", "y"), DOMAIN.slots)
        with pytest.raises(store_failsafe.TrackerStoreUnavailableError):
            run(store.save(tracker))
    finally:
        postgres.start()
    events = run(store.retrieve("down")).events
    assert [e.text for e in events if isinstance(e, UserUttered)] == ["what is ivig"]
