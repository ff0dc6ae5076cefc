"""Signed notifications to a real local receiver, through every fault: each lead arrives once."""

import socket
from datetime import datetime, timedelta, timezone

import pytest

from bot.action_server.leads.notify import WebhookConfig, backoff, deliver_due, sign, verify
from tests.receiver import Receiver
from tests.unit.test_leads_store import new_lead

SECRET = "test-secret"
LATER = timedelta(seconds=3600)


@pytest.fixture
def receiver():
    running = Receiver(SECRET).start()
    yield running
    running.stop()


@pytest.fixture
def store(tmp_path, monkeypatch):
    from bot.action_server.leads.db import make_engine, migrate
    from bot.action_server.leads.store import LeadStore

    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    engine = make_engine(f"sqlite:///{tmp_path / 'leads.db'}")
    migrate(engine)
    return LeadStore(engine)


def config(receiver, **overrides):
    values = {"url": receiver.url, "secret": SECRET, "timeout": 1.0, "retry_base": 0.0}
    return WebhookConfig(**{**values, **overrides})


def deliver_later(store, cfg):
    """The worker's next tick, after any backoff has passed."""
    for due in store.due(datetime.now(timezone.utc) + LATER):
        store.failed(due.message_id, "backoff passed", timedelta(0))  # due now
    return deliver_due(store, cfg)


def test_the_signature_is_hmac_sha256_over_the_body():
    signature = sign(b'{"a": 1}', "k")
    assert signature.startswith("sha256=") and verify(b'{"a": 1}', "k", signature)
    assert not verify(b'{"a": 2}', "k", signature)


def test_a_lead_is_posted_once_signed_with_its_summary(store, receiver):
    lead, _ = store.create(new_lead())
    assert deliver_due(store, config(receiver)) == (1, 0)
    assert deliver_due(store, config(receiver)) == (0, 0)
    (payload,) = receiver.accepted
    assert payload["reference"] == lead.reference
    assert payload["contact"]["phone"] == "+14155550199"
    assert (
        "Screening answers:" in payload["summary"]
        and "Safety flags: iga_not_tested" in (payload["summary"])
    )


def test_a_wrong_secret_is_rejected_by_the_receiver_and_retried(store, receiver):
    store.create(new_lead())
    assert deliver_due(store, config(receiver, secret="wrong")) == (0, 1)
    assert receiver.rejected_signatures == 1 and store.pending_count() == 1


def test_a_receiver_answering_500_gets_the_lead_once_it_recovers(store, receiver):
    store.create(new_lead())
    receiver.mode = "error"
    assert deliver_due(store, config(receiver)) == (0, 1)
    receiver.mode = "ok"
    assert deliver_later(store, config(receiver)) == (1, 0)
    assert len(receiver.accepted) == 1 and store.pending_count() == 0


def test_a_receiver_that_times_out_is_retried_with_the_same_delivery_id(store, receiver):
    lead, _ = store.create(new_lead())
    receiver.mode, receiver.slow_seconds = "slow", 2.0
    assert deliver_due(store, config(receiver, timeout=0.5)) == (0, 1)
    receiver.mode = "ok"
    assert deliver_later(store, config(receiver)) == (1, 0)
    # The slow answer may still have been accepted: the repeat carries the same id to drop.
    assert set(receiver.deliveries) == {lead.reference}
    assert receiver.distinct() == {lead.reference}


def test_a_receiver_that_is_down_gets_every_lead_once_when_it_comes_back(store, receiver):
    store.create(new_lead("a:1", "a"))
    store.create(new_lead("b:1", "b"))
    receiver.stop()
    assert deliver_due(store, config(receiver)) == (0, 2)
    assert deliver_later(store, config(receiver)) == (0, 2)
    receiver.start()
    assert deliver_later(store, config(receiver)) == (2, 0)
    assert len(receiver.accepted) == 2 and len(receiver.distinct()) == 2
    assert deliver_later(store, config(receiver)) == (0, 0)


def test_a_refused_connection_is_a_failure_not_a_crash(store):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store.create(new_lead())
    cfg = WebhookConfig(url=f"http://127.0.0.1:{port}/x", secret=SECRET, timeout=1.0)
    assert deliver_due(store, cfg) == (0, 1)


def test_without_a_webhook_leads_wait_in_the_database(store):
    store.create(new_lead())
    assert deliver_due(store, WebhookConfig(url=None, secret="")) == (0, 0)
    assert store.pending_count() == 1


def test_backoff_doubles_up_to_a_ceiling():
    cfg = WebhookConfig(url="x", secret="", retry_base=2, retry_max=30)
    assert [backoff(n, cfg).total_seconds() for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]


def test_notes_added_later_go_out_as_their_own_delivery_with_the_referrals_summary(store, receiver):
    lead, _ = store.create(new_lead())
    assert deliver_due(store, config(receiver)) == (1, 0)
    store.save_call_notes(lead.reference, lead.conversation_id, "Line one.\nLine two.", "referred")
    assert deliver_due(store, config(receiver)) == (1, 0)
    first, notes = receiver.accepted
    assert first["event"] == "referral" and notes["event"] == "call_notes"
    assert notes["reference"] == lead.reference and notes["wrap_up"] == "referred"
    assert notes["wrap_up_label"] == "Referred to a specialist"
    assert notes["call_notes"] == "Line one.\nLine two."
    assert "Call notes:\n  Line one.\n  Line two." in notes["summary"]
    assert receiver.deliveries[0] == lead.reference
    assert receiver.deliveries[1].startswith(f"{lead.reference}-notes-")
