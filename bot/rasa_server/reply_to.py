"""Sealing a texter's number for the action server, which alone can open it.

The handoff offers to text back at the number a person texts from, so the number travels with
each message as `reply_to` metadata, and the tracker store keeps message metadata. It is
sealed with the action server's public key (RSA-OAEP, SHA-256): the Rasa server can seal but
not open, and holds no key of the leads database. REPLY_TO_PUBLIC_KEY_FILE names the public
key (PEM); in development, without it, the key pair is generated once into REPLY_TO_KEY_FILE
(default var/reply-to.pem, mode 0600), which the action server reads too.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.startup import env
from bot.startup.keyfile import REPLY_TO_OAEP, read_or_create, reply_to_key_path, rsa_private_pem


def seal(number: str) -> str:
    key = _public_key(env.text("REPLY_TO_PUBLIC_KEY_FILE"), env.text("REPLY_TO_KEY_FILE"))
    return base64.urlsafe_b64encode(key.encrypt(number.encode(), REPLY_TO_OAEP)).decode()


@lru_cache(maxsize=4)
def _public_key(public_file: str, development_file: str) -> rsa.RSAPublicKey:
    if public_file:
        key = serialization.load_pem_public_key(Path(public_file).read_bytes())
    else:
        path = reply_to_key_path(development_file)
        private = serialization.load_pem_private_key(read_or_create(path, rsa_private_pem), None)
        key = private.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("REPLY_TO_PUBLIC_KEY_FILE must hold an RSA public key (PEM)")
    return key
