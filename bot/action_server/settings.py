"""Every environment variable the action server process reads (the server, its actions and
the lead service). See bot/startup/settings.py for what is checked against this list."""

from bot.core import routing
from bot.startup import env
from bot.startup.settings import Setting

SETTINGS = (
    Setting("ACTION_SERVER_HOST"),
    Setting("ACTION_SERVER_PORT"),
    Setting("ACTION_SERVER_TOKEN", secret=True, production=True),
    Setting("ACTION_SERVER_MAX_BYTES"),
    Setting("LOG_LEVEL"),
    # the leads database (this process alone owns it) and its key
    Setting("DATABASE_URL", secret=True, production=True),
    Setting("LEADS_ENCRYPTION_KEY", secret=True, production=True),
    Setting("LEADS_KEY_FILE"),
    Setting("REPLY_TO_KEY_FILE", production=True),
    # the specialist's notification
    Setting("LEADS_WEBHOOK_URL", production=True),
    Setting("LEADS_WEBHOOK_SECRET", secret=True, production=True),
    Setting("LEADS_WEBHOOK_TIMEOUT"),
    Setting("LEADS_RETRY_BASE_SECONDS"),
    Setting("LEADS_RETRY_MAX_SECONDS"),
    Setting("LEADS_OUTBOX_INTERVAL"),
    # reading answers and routing questions
    Setting("PHONE_DEFAULT_REGION"),
    Setting("MAX_MESSAGE_CHARS"),
    Setting("FAQ_MIN_CONFIDENCE"),
    Setting("FALLBACKS_BEFORE_HANDOFF"),
    # the program's facts
    Setting("PHARMACY_PHONE", production=True),
    Setting("PHARMACY_TIMEZONE"),
    Setting("SERVICE_AREA_STATES"),
)


def min_topic_confidence() -> float:
    """FAQ_MIN_CONFIDENCE: below it the bot offers choices instead of answering."""
    return env.number("FAQ_MIN_CONFIDENCE", routing.DEFAULT_MIN_TOPIC_CONFIDENCE)


def fallbacks_before_handoff() -> int:
    """FALLBACKS_BEFORE_HANDOFF: not-understood messages in a row before a specialist."""
    return env.integer("FALLBACKS_BEFORE_HANDOFF", routing.DEFAULT_FALLBACKS_BEFORE_HANDOFF)
