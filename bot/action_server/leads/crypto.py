"""Encrypting contact fields at rest with Fernet.

The key comes from LEADS_ENCRYPTION_KEY. Without it (development), a key is generated once into
LEADS_KEY_FILE (default var/leads.key, mode 0600, ignored by git), so a developer's leads stay
readable across restarts and no key is ever committed.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet

from bot import PROJECT_ROOT
from bot.startup import env
from bot.startup.keyfile import read_or_create


def key_file() -> Path:
    return Path(env.text("LEADS_KEY_FILE") or PROJECT_ROOT / "var" / "leads.key")


def load_key() -> bytes:
    return _key(env.text("LEADS_ENCRYPTION_KEY"), key_file())


@lru_cache(maxsize=8)
def _key(configured: str, path: Path) -> bytes:
    """Read once per configuration, not once per encrypted field."""
    if configured:
        return configured.encode()
    return read_or_create(path, Fernet.generate_key)


@lru_cache(maxsize=4)
def _fernet(key: bytes) -> Fernet:
    return Fernet(key)


def encrypt(value: str | None, key: bytes | None = None) -> str | None:
    if value is None:
        return None
    return _fernet(key or load_key()).encrypt(value.encode()).decode()


def decrypt(token: str | None, key: bytes | None = None) -> str | None:
    if token is None:
        return None
    return _fernet(key or load_key()).decrypt(token.encode()).decode()
