"""A background thread in the action server that keeps delivering the outbox."""

from __future__ import annotations

import logging
import threading

from bot.action_server.leads.notify import WebhookConfig, deliver_due
from bot.action_server.leads.store import LeadStore

logger = logging.getLogger(__name__)


class OutboxWorker:
    def __init__(self, store: LeadStore, config: WebhookConfig, interval: float = 2.0) -> None:
        self.store, self.config, self.interval = store, config, interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="leads-outbox", daemon=True)

    def start(self) -> OutboxWorker:
        self._thread.start()
        return self

    def wake(self) -> None:
        """Deliver now (a new lead was stored) instead of at the next tick."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                deliver_due(self.store, self.config)
            except Exception:  # the database may be briefly away; try again next tick
                logger.exception("Outbox delivery failed")
            self._wake.wait(self.interval)
            self._wake.clear()
