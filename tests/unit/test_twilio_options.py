"""What "1" means on SMS is read from the tracker store, not from one process's memory: a
second replica, or the same one after a restart, picks the same option."""

from __future__ import annotations

from types import SimpleNamespace

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot import PROJECT_ROOT
from bot.rasa_server.channels.twilio import choose, last_options
from bot.rasa_server.tracker_store import CachedSQLTrackerStore
from tests.aio import run

DOMAIN = Domain.load(str(PROJECT_ROOT / "domain.yml"))
BUTTONS = [
    {"title": "Check eligibility", "payload": "/check_eligibility"},
    {"title": "Talk to a specialist", "payload": "/request_handoff"},
]


def replica(path) -> SimpleNamespace:
    """What the Twilio webhook sees of a Rasa process: its agent's tracker store."""
    store = CachedSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    return SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(
        tracker_store=store))))  # fmt: skip


def store_turn(request, sender: str, *events) -> None:
    store = request.app.ctx.agent.tracker_store
    tracker = run(store.get_or_create_tracker(sender))
    for event in events:
        tracker.update(event)
    run(store.save(tracker))


def test_another_replica_knows_the_options_the_first_one_sent(tmp_path):
    one, two = replica(tmp_path / "t.db"), replica(tmp_path / "t.db")
    store_turn(one, "sms-a", UserUttered("hi", {"name": "greet", "confidence": 1.0}),
               ActionExecuted("utter_greet"), BotUttered("Hi! Pick one.", {"buttons": BUTTONS}),
               ActionExecuted("action_listen"))  # fmt: skip
    options = run(last_options(two, "sms-a"))
    assert choose("1", options) == "/check_eligibility"
    assert choose("two", options) == "/request_handoff"


def test_options_no_longer_apply_once_the_person_answered(tmp_path):
    one = replica(tmp_path / "t.db")
    store_turn(one, "sms-b", BotUttered("Pick one.", {"buttons": BUTTONS}),
               UserUttered("1", {"name": "check_eligibility", "confidence": 1.0}),
               BotUttered("What is the diagnosis?"))  # fmt: skip
    assert run(last_options(replica(tmp_path / "t.db"), "sms-b")) == []
    assert run(last_options(one, "sms-unknown")) == []
