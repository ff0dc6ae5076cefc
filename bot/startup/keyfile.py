"""Development keys: generated once into a file (mode 0600, under var/, ignored by git).

Production sets each key through its own setting; without one, a developer's machine gets a
key that survives restarts and is never committed. Several processes or threads may start at
once: a new key is written beside the path and linked into place, so whoever links first wins
and nobody ever reads a half-written key.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot import PROJECT_ROOT

# How the texter's number is sealed by the Rasa server and opened by the action server.
REPLY_TO_OAEP = padding.OAEP(
    mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
)


def reply_to_key_path(configured: str) -> Path:
    """REPLY_TO_KEY_FILE, or the development pair both processes generate under var/."""
    return Path(configured or PROJECT_ROOT / "var" / "reply-to.pem")


def read_or_create(path: Path, make: Callable[[], bytes]) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(make())
            with contextlib.suppress(FileExistsError):  # another starter won: use its key
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_bytes().strip()


def random_secret() -> bytes:
    """A 256-bit secret, hex-encoded (for HMAC keys)."""
    return os.urandom(32).hex().encode()


def rsa_private_pem() -> bytes:
    """A new RSA-3072 private key, PEM (PKCS#8, unencrypted: the file's mode protects it)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
