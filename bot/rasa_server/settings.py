"""Every environment variable the Rasa server process reads (its plugins, endpoints.yml and
credentials.yml). See bot/startup/settings.py for what is checked against this list."""

from bot.startup.settings import Setting

SETTINGS = (
    # the tracker database (this process alone owns it) and the lock store
    Setting("TRACKER_DB_URL", secret=True, production=True),
    Setting("TRACKER_DB_DIALECT"),
    Setting("TRACKER_DB_NAME"),
    Setting("TRACKER_CACHE_CONVERSATIONS"),
    Setting("TRACKER_CACHE_SECONDS"),
    Setting("TRACKER_RETENTION_DAYS"),
    Setting("LOCK_STORE_URL", production=True),
    Setting("LOCK_LEASE_SECONDS"),
    Setting("SANIC_WORKERS"),  # Rasa's own; the in-process lock store needs it to be 1
    # the action server, as a client
    Setting("ACTION_SERVER_URL", production=True),
    Setting("ACTION_SERVER_TOKEN", secret=True, production=True),
    Setting("ACTION_TIMEOUT_SECONDS"),
    # the channels' own secret and tables; the texter's number sealed for the action server
    Setting("CHANNEL_SECRET_KEY", secret=True, production=True),
    Setting("CHANNEL_KEY_FILE"),
    Setting("REPLY_TO_PUBLIC_KEY_FILE", production=True),
    Setting("REPLY_TO_KEY_FILE"),  # development only: the pair both processes generate
    # web, REST and agent console
    Setting("SOCKETIO_ALLOWED_ORIGINS", production=True),
    Setting("BOT_PUBLIC_URL"),
    Setting("REST_ACCESS_TOKEN", secret=True),
    Setting("MAX_REQUEST_BYTES"),
    Setting("MAX_MESSAGE_CHARS"),
    Setting("RATE_LIMIT_PER_MINUTE"),
    Setting("RATE_LIMIT_PER_ADDRESS_PER_MINUTE"),
    Setting("RATE_LIMIT_EXEMPT_ADDRESSES"),
    Setting("TRUSTED_PROXIES"),
    Setting("AGENT_ACCESS_TOKEN", secret=True),
    Setting("AGENT_JWT_SECRET", secret=True),
    Setting("AGENT_SESSION_HOURS"),
    Setting("AGENT_ALLOWED_ORIGINS"),
    Setting("AGENT_LOGIN_MAX_FAILURES"),
    Setting("AGENT_LOGIN_WINDOW_SECONDS"),
    Setting("AGENT_EMERGENCY_NUMBER"),
    Setting("AGENT_TRANSFER_NUMBER"),
    # the web widget's branding and links (bot/rasa_server/channels/webchat.py)
    Setting("WIDGET_BRAND_NAME"),
    Setting("WIDGET_LOGO_URL"),
    Setting("WIDGET_PRIVACY_URL"),
    Setting("ARTICLE_URL"),
    # SMS and WhatsApp
    Setting("TWILIO_ACCOUNT_SID"),
    Setting("TWILIO_AUTH_TOKEN", secret=True),
    Setting("TWILIO_SMS_NUMBER"),
    Setting("TWILIO_WHATSAPP_NUMBER"),
    Setting("TWILIO_API_BASE_URL"),
    Setting("TWILIO_PUBLIC_URL"),
    # the program's facts, for replies given without the action server
    Setting("PHARMACY_PHONE", production=True),
    Setting("PHARMACY_TIMEZONE"),
    Setting("SERVICE_AREA_STATES"),
)
