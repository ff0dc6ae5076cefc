"""What to do with a raw message before the assistant reads it.

Markup and control characters are removed before the text is stored or shown anywhere (a page
that later renders the transcript must never find a tag in it). Messages that cannot be read
as they are (empty, too long, emoji only, another language, sent too fast) are replaced by an
`unreadable_input` payload naming the problem, so the dialogue answers them kindly and the raw
text is not stored. A message with a red flag is always passed on, in any language.
"""

from __future__ import annotations

import html
import importlib
import ipaddress
import re
import time
import unicodedata
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from bot.core import input_replies, safety, vocabulary
from bot.core.input_replies import PROBLEM_ENTITY, PROBLEM_INTENT, settings
from bot.core.knowledge import knowledge_base
from bot.core.program import phone_text
from bot.startup import env

HIDDEN_BLOCKS = re.compile(r"<(script|style|iframe|object)\b.*?(?:</\1\s*>|$)", re.I | re.S)
# A tag, closed or not: "<svg/onload=..." with no ">" is a tag to the end of the text.
TAG = re.compile(r"</?[a-zA-Z!][^<>]*(?:>|$)|<!--.*?(?:-->|$)", re.S)
LATIN = re.compile(r"[a-zA-Z]")
ADDRESSES = re.compile(r"\S+@\S+|\bhttps?://\S+|\bwww\.\S+", re.I)


@dataclass(frozen=True)
class Limits:
    max_chars: int = 2000
    per_minute: int = 30
    per_client_per_minute: int = 300


def env_int(name: str, default: int) -> int:
    """An integer setting; an empty variable counts as unset."""
    return env.integer(name, default)


def limits_from_env() -> Limits:
    per_minute = env_int("RATE_LIMIT_PER_MINUTE", 30)
    return Limits(
        max_chars=env_int("MAX_MESSAGE_CHARS", 2000),
        per_minute=per_minute,
        per_client_per_minute=env_int("RATE_LIMIT_PER_ADDRESS_PER_MINUTE", 10 * per_minute),
    )


@dataclass(frozen=True)
class Assessment:
    text: str
    problem: str | None = None

    @property
    def payload(self) -> str:
        """What the dialogue receives: the clean text, or the problem as an intent payload."""
        if self.problem is None:
            return self.text
        return f'/{PROBLEM_INTENT}{{"{PROBLEM_ENTITY}": "{self.problem}"}}'


@lru_cache(maxsize=1)
def foreign_words() -> frozenset[str]:
    words = {str(w).lower() for w in settings()["foreign_words"]}
    for code in settings()["languages"]:
        module = importlib.import_module(f"spacy.lang.{code}.stop_words")
        words.update(module.STOP_WORDS)
    return frozenset(w for w in words if w not in vocabulary.english_words())


def clean(text: str) -> str:
    """Plain text: no tags (entities decoded first, so '&lt;b&gt;' goes too), no control chars."""
    for _ in range(3):
        before = text
        text = TAG.sub(" ", HIDDEN_BLOCKS.sub(" ", html.unescape(text)))
        if text == before:
            break
    text = "".join(
        ch for ch in text if ch in "\n\t" or not unicodedata.category(ch).startswith("C")
    )
    return re.sub(r"[ \t]+", " ", text).strip()


def is_other_language(text: str) -> bool:
    # Emails and web addresses are in no language ("wz@example.com" holds Portuguese "com").
    text = ADDRESSES.sub(" ", text)
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if LATIN.match(ch) or ch in "áéíóúñüçàèìòùâêîôûäöß")
    if letters and latin * 2 < len(letters):
        return True  # mostly another script (Chinese, Cyrillic, Arabic, ...)
    words = vocabulary.words(text)
    if not words:
        return False
    english, foreign_set = vocabulary.english_words(), foreign_words()
    foreign = sum(1 for w in words if w in foreign_set)
    known = sum(1 for w in words if w in english and w not in foreign_set)
    # Words that are neither (names, "dermatomiositis") side with the foreign ones.
    return foreign >= 1 and len(words) - known >= known


def assess(raw: object, limits: Limits | None = None) -> Assessment:
    limits = limits or limits_from_env()
    if not isinstance(raw, str):
        return Assessment("", "empty")
    if len(raw) > limits.max_chars * 4:
        return Assessment("", "too_long")
    text = clean(raw)
    flag = safety.detect(text)
    if flag is not None and flag.is_emergency:
        return Assessment(text[: limits.max_chars])
    if text.startswith("/"):
        return Assessment(text)  # a button payload
    if not text:
        return Assessment("", "markup" if TAG.search(html.unescape(raw)) else "empty")
    if len(text) > limits.max_chars:
        return Assessment("", "too_long")
    if not any(ch.isalnum() for ch in text):
        return Assessment("", "no_words")
    if is_other_language(text):
        return Assessment("", "other_language")
    return Assessment(text)


def reply(problem: str, phone: str, limits: Limits | None = None) -> str:
    return input_replies.reply(problem, phone, (limits or limits_from_env()).max_chars)


class RateLimiter:
    """At most `per_minute` messages per key in any 60 seconds (per server process)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[str, deque[float]] = {}
        self._prune_at = 1000

    def __len__(self) -> int:
        """How many keys are tracked."""
        return len(self._seen)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        window = self._seen.get(key)
        if window is None:
            window = self._seen[key] = deque()
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return False
        window.append(now)
        if len(self._seen) > self._prune_at:
            self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        """Keys seen more than a minute ago go, so a flood of new keys cannot fill memory; the
        next sweep waits until the table has doubled, so sweeping costs O(1) per message."""
        for key in [k for k, w in self._seen.items() if not w or now - w[-1] >= 60]:
            del self._seen[key]
        self._prune_at = max(1000, 2 * len(self._seen))


def address_set(value: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Comma-separated addresses or networks; `none` for none (empty means the default)."""
    if value.strip().lower() == "none":
        return []
    return [ipaddress.ip_network(v.strip(), strict=False) for v in value.split(",") if v.strip()]


def _within(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return address_set(env.text("TRUSTED_PROXIES", "127.0.0.1,::1"))


def client_address(peer: str, forwarded_for: str | None,
                   trusted: list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None = None,
                   ) -> str:  # fmt: skip
    """The client's address: the peer's, or, only when the peer is a trusted proxy, the last
    address in X-Forwarded-For that is not itself a trusted proxy (a client can prepend any
    address it likes; it cannot remove what the proxies appended)."""
    trusted = trusted_proxies() if trusted is None else trusted
    if not forwarded_for or not _within(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not _within(hop, trusted):
            return hop
    return peer


def rate_exempt(address: str) -> bool:
    """Local tools (tests, the benchmark, health checks) calling straight over loopback."""
    exempt = env.text("RATE_LIMIT_EXEMPT_ADDRESSES", "127.0.0.1,::1")
    return _within(address, address_set(exempt))


class InputGate:
    """What every channel applies to a raw message: the rate limits, then `assess`.

    `admit` runs before anything else reads the message: a flooded message is answered with the
    `too_fast` reply by the channel itself and never reaches the tracker or the NLU pipeline.
    Limits are per conversation and per client address, so new conversation ids buy nothing.
    """

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or limits_from_env()
        self.rate_limiter = RateLimiter(self.limits.per_minute)
        self.client_limiter = RateLimiter(self.limits.per_client_per_minute)

    def admit(self, conversation: str, client: str | None = None) -> bool:
        limited = client is not None and not rate_exempt(client)
        if limited and not self.client_limiter.allow(client):  # type: ignore[arg-type]
            return False
        return self.rate_limiter.allow(conversation)

    def payload(self, raw: object, media_only: bool = False) -> str:
        if media_only:
            return Assessment("", "no_words").payload
        return assess(raw, self.limits).payload

    def too_fast_reply(self) -> str:
        return reply("too_fast", phone_text(knowledge_base().program), self.limits)
