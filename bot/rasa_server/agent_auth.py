"""The agent console's login: a shared access token in, a short-lived signed session out.

A call center hands its agents AGENT_ACCESS_TOKEN (long and random; the console stays closed
while it is unset or shorter than MIN_TOKEN_CHARS). A successful login returns a JWT (HS256,
signed with AGENT_JWT_SECRET if it has 32 characters or more, else with a key derived from the
access token) naming the agent, which the console keeps in an HttpOnly, SameSite=Strict cookie.
Rotating the access token ends every session signed with the derived key.

Each session has an id (`jti`): calls are issued to it (`call_id`, a MAC of the session id, so a
call opened in one session cannot be driven from another, on any replica), and logging out
revokes it (bot.rasa_server.agent_revocations, the Rasa server's own table) until it would
expire.

Wrong tokens are limited the way OWASP's "device cookie" scheme does it: a browser that signed
in before holds a signed device cookie and is counted on its own; every other attempt is
counted per client address (the forwarded one only behind a configured trusted proxy). A
flood of guesses locks out the guesser's address, never an agent whose browser is known.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections import deque
from dataclasses import dataclass

import jwt

from bot.startup import env

logger = logging.getLogger(__name__)

MIN_TOKEN_CHARS = 16
MIN_SECRET_CHARS = 32  # HS256 keys shorter than its 256 bits are weak (RFC 7518, 3.2)
AUDIENCE = "ivig-agent-console"
DEVICE_AUDIENCE = "ivig-agent-device"
DEVICE_DAYS = 180
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AuthSettings:
    access_token: str
    jwt_secret: str
    session_hours: float = 8.0
    max_failures: int = 5
    failure_window_seconds: float = 300.0

    @property
    def enabled(self) -> bool:
        return len(self.access_token) >= MIN_TOKEN_CHARS

    @classmethod
    def from_env(cls) -> AuthSettings:
        token = env.text("AGENT_ACCESS_TOKEN")
        secret = env.text("AGENT_JWT_SECRET")
        if len(secret) < MIN_SECRET_CHARS:
            if secret:
                logger.warning("AGENT_JWT_SECRET is shorter than %d characters; not used",
                               MIN_SECRET_CHARS)  # fmt: skip
            secret = derived_secret(token)
        return cls(
            token,
            secret,
            session_hours=env.number("AGENT_SESSION_HOURS", 8),
            max_failures=env.integer("AGENT_LOGIN_MAX_FAILURES", 5),
            failure_window_seconds=env.number("AGENT_LOGIN_WINDOW_SECONDS", 300),
        )


def derived_secret(access_token: str) -> str:
    return hmac.new(access_token.encode(), b"agent-console-session", hashlib.sha256).hexdigest()


class FailedLogins:
    """Counts recent failures per key (a device, or an address), so a token cannot be guessed
    at speed. Keys with no recent failure are forgotten, so new keys cannot fill memory."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._prune_at = 10_000

    def blocked(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        seen = self._seen.get(client)
        if seen is None:
            return False
        while seen and now - seen[0] > self.window:
            seen.popleft()
        if not seen:
            del self._seen[client]
        return len(seen) >= self.limit

    def record(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        self._seen.setdefault(client, deque()).append(now)
        if len(self._seen) > self._prune_at:  # swept when doubled: O(1) per failure
            for key in [k for k, v in self._seen.items() if not v or now - v[-1] > self.window]:
                del self._seen[key]
            self._prune_at = max(10_000, 2 * len(self._seen))


def attempt_key(settings: AuthSettings, device_cookie: str | None, client: str) -> str:
    """What a login attempt is counted against: its known device, else its address."""
    device = device_id(settings, device_cookie)
    return f"device:{device}" if device else f"address:{client}"


def issue_device(settings: AuthSettings, now: float | None = None) -> str:
    """A signed, long-lived cookie value naming this browser as one that signed in before."""
    now = time.time() if now is None else now
    claims = {"sub": secrets.token_hex(16), "aud": DEVICE_AUDIENCE, "iat": int(now),
              "exp": int(now + DEVICE_DAYS * 86400)}  # fmt: skip
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def device_id(settings: AuthSettings, cookie: str | None) -> str | None:
    if not settings.enabled or not cookie:
        return None
    try:
        claims = jwt.decode(
            cookie, settings.jwt_secret, algorithms=[ALGORITHM], audience=DEVICE_AUDIENCE,
            options={"require": ["exp", "sub", "aud"]},
        )  # fmt: skip
    except jwt.PyJWTError:
        return None
    return str(claims["sub"])


def token_matches(settings: AuthSettings, offered: str) -> bool:
    return settings.enabled and hmac.compare_digest(
        offered.encode("utf-8", "replace"), settings.access_token.encode()
    )


def clean_agent_name(name: str) -> str:
    name = " ".join((name or "").split())[:60]
    return "".join(ch for ch in name if ch.isalnum() or ch in " .-'") or "agent"


def issue_session(settings: AuthSettings, agent: str, now: float | None = None) -> str:
    now = time.time() if now is None else now
    claims = {
        "sub": clean_agent_name(agent),
        "aud": AUDIENCE,
        "jti": secrets.token_hex(16),
        "iat": int(now),
        "exp": int(now + settings.session_hours * 3600),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


@dataclass(frozen=True)
class Session:
    agent: str
    id: str
    expires_at: float


def session_of(settings: AuthSettings, session: str | None) -> Session | None:
    """The session a token carries, or None when it is missing, forged or expired."""
    if not settings.enabled or not session:
        return None
    try:
        claims = jwt.decode(
            session, settings.jwt_secret, algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["exp", "sub", "aud", "jti"]},
        )  # fmt: skip
    except jwt.PyJWTError:
        return None
    return Session(str(claims["sub"]), str(claims["jti"]), float(claims["exp"]))


def session_agent(settings: AuthSettings, session: str | None) -> str | None:
    """The agent a session token names, or None when it is missing, forged or expired."""
    found = session_of(settings, session)
    return found.agent if found else None


def call_id(settings: AuthSettings, session_id: str, nonce: str | None = None) -> str:
    """A new call id for this session: 32 random hex digits, then 32 of a MAC binding them to
    the session, so no other session (and no made-up id) can drive or read the call."""
    nonce = nonce or secrets.token_hex(16)
    mac = hmac.new(settings.jwt_secret.encode(), f"call:{session_id}:{nonce}".encode(),
                   hashlib.sha256).hexdigest()[:32]  # fmt: skip
    return nonce + mac


def call_belongs_to(settings: AuthSettings, session_id: str, call: str) -> bool:
    if len(call) != 64 or any(ch not in "0123456789abcdef" for ch in call):
        return False
    return hmac.compare_digest(call, call_id(settings, session_id, call[:32]))
