"""The one lead store and outbox worker of this process, opened on first use."""

from __future__ import annotations

import threading

from bot.action_server.leads.db import make_engine, migrate
from bot.action_server.leads.notify import WebhookConfig
from bot.action_server.leads.store import LeadStore
from bot.action_server.leads.worker import OutboxWorker
from bot.startup import env

_lock = threading.Lock()
_store: LeadStore | None = None
_worker: OutboxWorker | None = None


def store() -> LeadStore:
    global _store
    with _lock:
        if _store is None:
            engine = make_engine()
            migrate(engine)
            _store = LeadStore(engine)
        return _store


def worker() -> OutboxWorker:
    global _worker
    lead_store = store()
    with _lock:
        if _worker is None:
            interval = env.number("LEADS_OUTBOX_INTERVAL", 2)
            _worker = OutboxWorker(lead_store, WebhookConfig.from_env(), interval).start()
        return _worker
