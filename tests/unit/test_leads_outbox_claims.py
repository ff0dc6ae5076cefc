"""Several action servers deliver from one shared outbox: each notification is posted once.

Each action server runs its own outbox worker (bot/action_server/leads/worker.py) on the shared
leads database, and `python -m bot.action_server.leads resend` may run beside them. A
notification due for all of them must be posted by one only."""

import threading
from datetime import timedelta

import pytest

from bot.action_server.leads.notify import WebhookConfig, deliver_due
from bot.action_server.leads.worker import OutboxWorker
from tests.receiver import Receiver
from tests.unit.test_leads_store import new_lead

SECRET = "test-secret"


@pytest.fixture
def receiver():
    running = Receiver(SECRET).start()
    yield running
    running.stop()


@pytest.fixture
def stores(tmp_path, monkeypatch):
    """Two processes' lead stores: one database file, an engine each."""
    from bot.action_server.leads.db import make_engine, migrate
    from bot.action_server.leads.store import LeadStore

    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    first = make_engine(url)
    migrate(first)
    return LeadStore(first), LeadStore(make_engine(url))


def config(receiver, **overrides):
    values = {"url": receiver.url, "secret": SECRET, "timeout": 5.0, "retry_base": 0.2,
              "retry_max": 0.5}  # fmt: skip
    return WebhookConfig(**{**values, **overrides})


def test_two_senders_at_the_same_instant_post_a_notification_once(stores, receiver):
    lead, _ = stores[0].create(new_lead())
    receiver.mode, receiver.slow_seconds = "slow", 1.0  # both are sending while it answers
    start = threading.Barrier(2)
    results = []

    def send(store):
        start.wait()
        results.append(deliver_due(store, config(receiver)))

    threads = [threading.Thread(target=send, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert receiver.deliveries == [lead.reference]
    assert sorted(results) == [(0, 0), (1, 0)]
    assert stores[0].pending_count() == 0


def test_two_workers_through_a_receiver_outage_deliver_each_lead_once(stores, receiver):
    references = [stores[0].create(new_lead(f"c{n}:1", f"c{n}"))[0].reference for n in range(6)]
    receiver.stop()
    workers = [OutboxWorker(store, config(receiver), interval=0.05).start() for store in stores]
    try:
        # Down long enough for several retries of every notification by both workers.
        threading.Event().wait(1.5)
        assert receiver.deliveries == [] and stores[0].pending_count() == 6
        receiver.mode, receiver.slow_seconds = "slow", 0.3
        receiver.start()
        assert receiver.wait_for(6, timeout=15)
        threading.Event().wait(1.0)  # any repeat would have come by now
    finally:
        for worker in workers:
            worker.stop()
    assert sorted(receiver.deliveries) == sorted(references)
    assert stores[0].pending_count() == 0


def test_a_claim_left_by_a_sender_that_died_expires_and_the_notification_goes_out(stores, receiver):
    from bot.action_server.leads.notify import claim

    lead, _ = stores[0].create(new_lead())
    message_id = stores[0].due()[0].message_id
    assert claim(stores[0], message_id, timedelta(seconds=0.3))  # then the sender dies
    assert deliver_due(stores[1], config(receiver)) == (0, 0)  # claimed: not posted twice
    threading.Event().wait(0.4)
    assert deliver_due(stores[1], config(receiver)) == (1, 0)  # the claim has expired
    assert receiver.deliveries == [lead.reference]
