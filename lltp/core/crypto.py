"""Secrets: symmetric encryption of those the app must read back (an API client's callback signing
secret), and the hash kept of random bearer tokens.

Fernet (AES-128-CBC with HMAC-SHA256), with a key derived from SECRET_KEY by HKDF-SHA256, so the
deployment has one secret to keep. Rotating SECRET_KEY makes the stored secrets unreadable: the clients'
callback secrets must then be issued again.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# Binds the derived key to this one use: another use of SECRET_KEY gets a different key.
_KEY_PURPOSE = b"lltp:core.crypto:fernet:v1"


@lru_cache(maxsize=4)
def _fernet(secret_key):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text):
    """`text` encrypted with the app's key, as URL-safe ASCII."""
    return _fernet(current_app.config["SECRET_KEY"]).encrypt(text.encode()).decode("ascii")


def decrypt(token):
    """The text that `encrypt` made `token` from; raises `InvalidToken` for a token made with another key
    or altered."""
    return _fernet(current_app.config["SECRET_KEY"]).decrypt(token.encode("ascii")).decode()


__all__ = ["InvalidToken", "decrypt", "encrypt"]


def token_hash(token):
    """What is stored of a random bearer secret (an API token, a draft's cookie): its SHA-256, in hex. A
    slow hash adds nothing to a secret of 256 random bits, and lookups by it stay one index probe."""
    return hashlib.sha256(token.encode()).hexdigest()
