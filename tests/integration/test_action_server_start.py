"""The action server's start-up: migrations once, and the outbox worker running before any
request, so a notification left pending by the last run goes out after a restart by itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from bot import PROJECT_ROOT
from bot.action_server.leads.db import make_engine, migrate
from bot.action_server.leads.store import LeadStore
from tests.receiver import Receiver
from tests.unit.test_leads_store import new_lead

SECRET = "start-up-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_lead_pending_from_before_a_restart_is_delivered_without_a_new_handoff(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("LEADS_KEY_FILE", str(tmp_path / "leads.key"))
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    engine = make_engine(url)
    migrate(engine)
    lead, _ = LeadStore(engine).create(new_lead())  # stored, its notification still pending
    engine.dispose()
    receiver = Receiver(SECRET).start()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LEADS_KEY_FILE": str(tmp_path / "leads.key"),
        "LEADS_WEBHOOK_URL": receiver.url,
        "LEADS_WEBHOOK_SECRET": SECRET,
        "LEADS_OUTBOX_INTERVAL": "0.5",
        "ACTION_SERVER_PORT": str(free_port()),
        "ACTION_SERVER_TOKEN": "t" * 32,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server"], cwd=PROJECT_ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not receiver.accepted and time.monotonic() < deadline:
            assert server.poll() is None, "the action server stopped"
            time.sleep(0.2)
        assert [body["reference"] for body in receiver.accepted] == [lead.reference]
    finally:
        server.terminate()
        server.wait(timeout=20)
        receiver.stop()
