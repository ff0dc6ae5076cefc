import itertools

import pytest

from tests.fake_twilio import FakeTwilio
from tests.integration.servers import Stack
from tests.receiver import Receiver

_senders = itertools.count()
WEBHOOK_SECRET = "integration-webhook-secret"
TWILIO_SID, TWILIO_TOKEN = "AC" + "0" * 32, "integration-twilio-token"
SMS_NUMBER, WHATSAPP_NUMBER = "+15005550006", "+15005550007"


@pytest.fixture(scope="session")
def twilio_api():
    """The local stand-in for Twilio's REST API."""
    running = FakeTwilio(TWILIO_SID, TWILIO_TOKEN).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def receiver():
    """The CRM stand-in the action server notifies about new leads."""
    running = Receiver(WEBHOOK_SECRET).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory, receiver, twilio_api):
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
    twilio = {
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_SMS_NUMBER": SMS_NUMBER,
        "TWILIO_WHATSAPP_NUMBER": WHATSAPP_NUMBER,
        "TWILIO_API_BASE_URL": twilio_api.base_url,
        "TWILIO_PUBLIC_URL": "https://bot.example-pharmacy.test",
    }
    running = Stack(workdir, extra_env={**leads, **twilio}).start()
    yield running
    running.stop()


@pytest.fixture
def sender(request) -> str:
    """A fresh conversation id per test."""
    return f"{request.node.name[:40]}-{next(_senders)}"
