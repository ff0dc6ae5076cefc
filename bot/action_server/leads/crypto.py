"""Encrypting contact fields at rest with Fernet.

The key comes from LEADS_ENCRYPTION_KEY. Without it (development), a key is generated once into
LEADS_KEY_FILE (default var/leads.key, mode 0600, ignored by git), so a developer's leads stay
readable across restarts and no key is ever committed.
"""

from __future__ import annotations

import contextlib
import os
import threading
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet

from bot import PROJECT_ROOT
from bot.startup import env


def key_file() -> Path:
    return Path(env.text("LEADS_KEY_FILE") or PROJECT_ROOT / "var" / "leads.key")


def load_key() -> bytes:
    return _key(env.text("LEADS_ENCRYPTION_KEY"), key_file())


@lru_cache(maxsize=8)
def _key(configured: str, path: Path) -> bytes:
    """Read once per configuration, not once per encrypted field."""
    if configured:
        return configured.encode()
    if not path.exists():
        _create_key_file(path)
    return path.read_bytes().strip()


def _create_key_file(path: Path) -> None:
    """Writes a new key beside `path`, then links it into place: whoever links first wins, and
    nobody ever reads a half-written key (several threads or processes may start at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
        with contextlib.suppress(FileExistsError):  # another starter won: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


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
