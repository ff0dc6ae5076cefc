import itertools

import pytest

from tests.browser import chromium
from tests.fake_twilio import FakeTwilio
from tests.integration.servers import Stack
from tests.receiver import Receiver

_senders = itertools.count()
WEBHOOK_SECRET = "integration-webhook-secret"
TWILIO_SID, TWILIO_TOKEN = "AC" + "0" * 32, "integration-twilio-token"
SMS_NUMBER, WHATSAPP_NUMBER = "+15005550006", "+15005550007"
AGENT_TOKEN = "integration-agent-access-token"
LOGIN_WINDOW = 2.0  # seconds a client stays locked out after too many wrong tokens


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
        "CHANNEL_KEY_FILE": str(workdir / "channel.key"),
        "REPLY_TO_KEY_FILE": str(workdir / "reply-to.pem"),
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
    agent = {"AGENT_ACCESS_TOKEN": AGENT_TOKEN, "AGENT_LOGIN_WINDOW_SECONDS": str(LOGIN_WINDOW)}
    running = Stack(workdir, extra_env={**leads, **twilio, **agent})
    # The widget page is opened from the stack's own origin; the socket.io test's page origin.
    running.extra_env["SOCKETIO_ALLOWED_ORIGINS"] = f"{running.url},http://localhost:5005"
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (installed by the tests when missing)."""
    with chromium() as running:
        yield running


@pytest.fixture
def sender(request) -> str:
    """A fresh conversation id per test."""
    return f"{request.node.name[:40]}-{next(_senders)}"
