"""Opening the texter's number that the Rasa server sealed (bot/rasa_server/reply_to.py).

REPLY_TO_KEY_FILE names the private key (PEM); in development it is generated once into
var/reply-to.pem (mode 0600). `python -m bot.tools.keys reply-to` makes a pair for production.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.startup import env
from bot.startup.keyfile import REPLY_TO_OAEP, read_or_create, reply_to_key_path, rsa_private_pem


def open_sealed(token: str) -> str | None:
    """The number, or None for anything that is not a token sealed for this server's key."""
    try:
        sealed = base64.urlsafe_b64decode(token.encode())
        return _private_key(env.text("REPLY_TO_KEY_FILE")).decrypt(sealed, REPLY_TO_OAEP).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@lru_cache(maxsize=4)
def _private_key(path: str) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(
        read_or_create(reply_to_key_path(path), rsa_private_pem), None
    )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("REPLY_TO_KEY_FILE must hold an RSA private key (PEM)")
    return key
