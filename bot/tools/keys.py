"""`python -m bot.tools.keys [DIR]`: new production keys.

Writes the reply-to key pair into DIR (default ./secrets): `reply-to.pem` (the action server's
private key, mode 0600) and `reply-to.pub.pem` (the Rasa server's public key), and prints new
values for CHANNEL_SECRET_KEY, LEADS_ENCRYPTION_KEY and ACTION_SERVER_TOKEN to paste into .env.
An existing pair is left as it is: tokens sealed with it must stay readable.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization

from bot.startup.keyfile import read_or_create, rsa_private_pem


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "secrets")
    private = read_or_create(folder / "reply-to.pem", rsa_private_pem)
    key = serialization.load_pem_private_key(private, None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / "reply-to.pub.pem").write_bytes(public)
    print(f"# reply-to key pair in {folder}/ (reply-to.pem for actions, reply-to.pub.pem for Rasa)")
    print(f"CHANNEL_SECRET_KEY={secrets.token_hex(32)}")
    print(f"LEADS_ENCRYPTION_KEY={Fernet.generate_key().decode()}")
    print(f"ACTION_SERVER_TOKEN={secrets.token_urlsafe(32)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
