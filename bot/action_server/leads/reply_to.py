"""Opening the texter's number that the Rasa server sealed (bot/rasa_server/reply_to.py).

REPLY_TO_KEY_FILE names the private key (PEM); in development it is generated once into
var/reply-to.pem (mode 0600). `python -m bot.tools.keys reply-to` makes a pair for production.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot import PROJECT_ROOT
from bot.startup import env
from bot.startup.keyfile import read_or_create, rsa_private_pem

OAEP = padding.OAEP(
    mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
)


def open_sealed(token: str) -> str | None:
    """The number, or None for anything that is not a token sealed for this server's key."""
    try:
        sealed = base64.urlsafe_b64decode(token.encode())
        return _private_key(env.text("REPLY_TO_KEY_FILE")).decrypt(sealed, OAEP).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@lru_cache(maxsize=4)
def _private_key(path: str) -> rsa.RSAPrivateKey:
    file = Path(path or PROJECT_ROOT / "var" / "reply-to.pem")
    key = serialization.load_pem_private_key(read_or_create(file, rsa_private_pem), None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("REPLY_TO_KEY_FILE must hold an RSA private key (PEM)")
    return key
