"""When the leads database is down, the person who has just given a phone number hears it, gets
the phone and the hours, and what they typed is kept: "Try again" stores it once it is back."""

from datetime import datetime, timezone

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionCreateLead
from bot.action_server.leads import service
from bot.action_server.leads.db import make_engine, migrate
from bot.action_server.leads.store import LeadStore
from tests import aio
from tests.integration.servers import free_port

CONTACT = {
    "contact_name": "Ana Silva",
    "contact_method": "call",
    "contact_phone": "+14155550123",
    "contact_email": None,
    "contact_time": "mornings",
}


def tracker() -> Tracker:
    slots = {**CONTACT, "handoff_consent_at": datetime.now(timezone.utc).isoformat()}
    return Tracker(
        "store-down-test", slots, {"text": "mornings", "intent": {"name": "inform"}},
        [], False, None, None, "handoff_form",
    )  # fmt: skip


def run(store: LeadStore) -> tuple[list[dict], list[dict]]:
    service._store = store
    dispatcher = CollectingDispatcher()
    events = aio.run(ActionCreateLead().run(dispatcher, tracker(), {}))
    return dispatcher.messages, events


def test_a_lead_store_that_is_down_is_said_with_the_phone_and_the_details_are_kept(tmp_path):
    down = LeadStore(make_engine(f"postgresql://nobody:nothing@127.0.0.1:{free_port()}/leads"))
    kept = service._store
    try:
        messages, events = run(down)
        assert [m["response"] for m in messages] == ["utter_lead_store_failed"]
        assert messages[0]["phone"] and messages[0]["hours"]
        assert events == []  # no contact slot cleared: "Try again" has what they typed

        working = make_engine(f"sqlite:///{tmp_path / 'leads.db'}")
        migrate(working)
        messages, events = run(LeadStore(working))
        assert [m["response"] for m in messages] == ["utter_lead_stored"]
        assert messages[0]["reference"]
    finally:
        service._store = kept
