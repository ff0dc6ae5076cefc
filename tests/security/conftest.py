"""One real stack (action server, Rasa server, leads database, a fake Twilio, a CRM stand-in)
for the attacks of tests/security/test_attacks.py, configured as a deployment would be: a
reverse proxy on loopback (the default TRUSTED_PROXIES) forwarding outside addresses."""

import itertools

import pytest

from tests.fake_twilio import FakeTwilio
from tests.integration.servers import Stack
from tests.receiver import Receiver

WEBHOOK_SECRET = "security-webhook-secret"
TWILIO_SID, TWILIO_TOKEN = "AC" + "1" * 32, "security-twilio-token"
SMS_NUMBER = "+15005550006"
AGENT_TOKEN = "security-agent-access-token"
PUBLIC_URL = "https://bot.example-pharmacy.test"
PER_ADDRESS = 20  # messages per minute from one outside address
_ids = itertools.count()


@pytest.fixture(scope="session")
def attack_stack(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("security")
    receiver = Receiver(WEBHOOK_SECRET).start()
    twilio = FakeTwilio(TWILIO_SID, TWILIO_TOKEN).start()
    env = {
        "DATABASE_URL": f"sqlite:///{workdir / 'leads.db'}",
        "LEADS_KEY_FILE": str(workdir / "leads.key"),
        "CHANNEL_KEY_FILE": str(workdir / "channel.key"),
        "REPLY_TO_KEY_FILE": str(workdir / "reply-to.pem"),
        "LEADS_WEBHOOK_URL": receiver.url,
        "LEADS_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "LEADS_OUTBOX_INTERVAL": "0.5",
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_SMS_NUMBER": SMS_NUMBER,
        "TWILIO_WHATSAPP_NUMBER": "+15005550007",
        "TWILIO_API_BASE_URL": twilio.base_url,
        "TWILIO_PUBLIC_URL": PUBLIC_URL,
        "AGENT_ACCESS_TOKEN": AGENT_TOKEN,
        "AGENT_LOGIN_MAX_FAILURES": "3",
        "AGENT_LOGIN_WINDOW_SECONDS": "60",
        "RATE_LIMIT_PER_ADDRESS_PER_MINUTE": str(PER_ADDRESS),
    }
    stack = Stack(workdir, extra_env=env)
    stack.extra_env["SOCKETIO_ALLOWED_ORIGINS"] = "http://localhost:5005"
    stack.receiver, stack.twilio = receiver, twilio  # type: ignore[attr-defined]
    stack.start()
    yield stack
    stack.stop()
    twilio.stop()
    receiver.stop()


@pytest.fixture
def fresh(request) -> str:
    """A new REST conversation id per use."""
    return f"sec-{request.node.name[:30]}-{next(_ids)}"
