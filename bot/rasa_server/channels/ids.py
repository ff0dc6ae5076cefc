"""Conversation ids bound to their channel, so that knowing a person is not enough to reach them.

Rasa uses one id namespace for every channel: whoever can name an id can read, drive and erase
that conversation. Here each channel owns a prefix no other channel can produce:
- `web-<keyed hash>`: a widget conversation. The widget holds a session token the server issued
  (`wt-<random>-<signature>`, signed with a key only the server holds, so a made-up or altered
  one is refused); the conversation id is a keyed hash of that token. The token never leaves
  the visitor's browser and the server's memory, so the id in the tracker store, the leads or
  a log line cannot be used to join the conversation (bot/rasa_server/channels/socketio.py);
- `sms-<keyed hash>` / `wa-<keyed hash>`: an SMS or WhatsApp conversation, named by an HMAC of
  the number, so the number is stored nowhere as the id and cannot be turned into one without
  the key (bot/rasa_server/channels/twilio.py);
- `agent-<32 hex digits>`: a call, issued to one agent session (bot/rasa_server/channels/agent.py);
- anything else is a REST sender, which may never start with one of the prefixes above.
The key is derived from the channel secret (CHANNEL_SECRET_KEY, bot/rasa_server/channel_db.py),
which every Rasa replica shares and the action server never holds.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from bot.rasa_server import channel_db

WEB, SMS, WHATSAPP, AGENT = "web-", "sms-", "wa-", "agent-"
RESERVED_PREFIXES = (WEB, SMS, WHATSAPP, AGENT)
MAX_REST_SENDER = 128
WEB_TOKEN = re.compile(r"^wt-([0-9a-f]{32})-([0-9a-f]{32})$")


def _key(purpose: str) -> bytes:
    return hmac.new(channel_db.secret(), f"conversation-ids:{purpose}".encode(), "sha256").digest()


def _mac(purpose: str, value: str) -> str:
    return hmac.new(_key(purpose), value.encode(), hashlib.sha256).hexdigest()[:32]


# How SMS and WhatsApp conversations were named before: the number itself. Such conversations
# may still be in the tracker store (until the retention period ends), so REST may not use
# anything that looks like one.
LEGACY_PHONE_ID = re.compile(r"^(?:whatsapp:)?\+?\d[\d\s().-]{5,}$", re.I)


def is_reserved(sender: str) -> bool:
    """True for ids only the server may issue (web sessions, SMS, WhatsApp, agent calls), and
    for phone numbers, which named SMS and WhatsApp conversations before these prefixes."""
    lowered = sender.lower()
    return lowered.startswith((*RESERVED_PREFIXES, "whatsapp:")) or bool(
        LEGACY_PHONE_ID.match(sender)
    )


def rest_sender(value: object) -> str | None:
    """The REST sender as given, or None when it is missing, empty, too long, holds control
    characters or names another channel's conversation."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_REST_SENDER:
        return None
    if not value.isprintable() or is_reserved(value.strip()):
        return None
    return value


def new_web_session() -> str:
    """A new widget session token, signed by this server."""
    nonce = secrets.token_hex(16)
    return f"wt-{nonce}-{_mac('web-token', nonce)}"


def verified_web_session(value: object) -> str | None:
    """The session token if this server issued it, else None (a guessed or altered one)."""
    match = WEB_TOKEN.match(value) if isinstance(value, str) else None
    if match is None:
        return None
    nonce, signature = match.groups()
    return value if hmac.compare_digest(signature, _mac("web-token", nonce)) else None  # type: ignore[return-value]


def web_conversation(token: str) -> str:
    """The conversation id of a widget session token: a keyed hash, not the token."""
    return WEB + _mac("web-conversation", token)


def phone_conversation(sender: str) -> str:
    """The conversation id of a Twilio sender ('+1415...' or 'whatsapp:+1415...')."""
    if sender.startswith("whatsapp:"):
        return WHATSAPP + _mac("whatsapp", sender.removeprefix("whatsapp:"))
    return SMS + _mac("sms", sender)


def new_call() -> str:
    return secrets.token_hex(16)
