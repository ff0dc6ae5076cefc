import itertools

import pytest

from tests.integration.servers import Stack
from tests.receiver import Receiver

_senders = itertools.count()
WEBHOOK_SECRET = "integration-webhook-secret"


@pytest.fixture(scope="session")
def receiver():
    """The CRM stand-in the action server notifies about new leads."""
    running = Receiver(WEBHOOK_SECRET).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, receiver):
    workdir = tmp_path_factory.mktemp("stack")
    leads = {
        "DATABASE_URL": f"sqlite:///{workdir / 'leads.db'}",
        "LEADS_KEY_FILE": str(workdir / "leads.key"),
        "LEADS_WEBHOOK_URL": receiver.url,
        "LEADS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LEADS_OUTBOX_INTERVAL": "0.5",
        "LEADS_RETRY_BASE_SECONDS": "0.5",
        "LEADS_RETRY_MAX_SECONDS": "2",
    }
    running = Stack(workdir, extra_env=leads).start()
    yield running
    running.stop()


@pytest.fixture
def sender(request) -> str:
    """A fresh conversation id per test."""
    return f"{request.node.name[:40]}-{next(_senders)}"
