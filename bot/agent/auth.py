"""The agent console's login: a shared access token in, a short-lived signed session out.

A call center hands its agents AGENT_ACCESS_TOKEN (long and random; the console stays closed
while it is unset or shorter than MIN_TOKEN_CHARS). A successful login returns a JWT (HS256,
signed with AGENT_JWT_SECRET if it has 32 characters or more, else with a key derived from the
access token) naming the agent, which the console keeps in an HttpOnly, SameSite=Strict cookie.
Rotating the access token ends every session signed with the derived key. Failed logins are
limited per client address.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections import defaultdict, deque
from dataclasses import dataclass

import jwt

logger = logging.getLogger(__name__)

MIN_TOKEN_CHARS = 16
MIN_SECRET_CHARS = 32  # HS256 keys shorter than its 256 bits are weak (RFC 7518, 3.2)
AUDIENCE = "ivig-agent-console"
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
        token = os.environ.get("AGENT_ACCESS_TOKEN", "")
        secret = os.environ.get("AGENT_JWT_SECRET", "")
        if len(secret) < MIN_SECRET_CHARS:
            if secret:
                logger.warning("AGENT_JWT_SECRET is shorter than %d characters; not used",
                               MIN_SECRET_CHARS)  # fmt: skip
            secret = derived_secret(token)
        return cls(
            token,
            secret,
            session_hours=float(os.environ.get("AGENT_SESSION_HOURS") or 8),
            max_failures=int(os.environ.get("AGENT_LOGIN_MAX_FAILURES") or 5),
            failure_window_seconds=float(os.environ.get("AGENT_LOGIN_WINDOW_SECONDS") or 300),
        )


def derived_secret(access_token: str) -> str:
    return hmac.new(access_token.encode(), b"agent-console-session", hashlib.sha256).hexdigest()


class FailedLogins:
    """Counts recent failures per client, so a token cannot be guessed at speed."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def blocked(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        seen = self._seen[client]
        while seen and now - seen[0] > self.window:
            seen.popleft()
        return len(seen) >= self.limit

    def record(self, client: str, now: float | None = None) -> None:
        self._seen[client].append(time.monotonic() if now is None else now)


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
        "iat": int(now),
        "exp": int(now + settings.session_hours * 3600),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def session_agent(settings: AuthSettings, session: str | None) -> str | None:
    """The agent a session token names, or None when it is missing, forged or expired."""
    if not settings.enabled or not session:
        return None
    try:
        claims = jwt.decode(
            session, settings.jwt_secret, algorithms=[ALGORITHM], audience=AUDIENCE,
            options={"require": ["exp", "sub", "aud"]},
        )  # fmt: skip
    except jwt.PyJWTError:
        return None
    return str(claims["sub"])
