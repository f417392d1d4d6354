"""The short code a certificate's QR carries beside its number: an HMAC of the number with the app's key,
so a number typed from a forged paper does not come with a code that checks."""

import base64
import hashlib
import hmac

from flask import current_app

CODE_LENGTH = 10


def check_code(number):
    """The check code of a certificate number (base32, upper case, 10 characters)."""
    key = f"certificate-check:{current_app.config['SECRET_KEY']}".encode()
    digest = hmac.new(key, number.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]


def code_matches(number, code):
    return hmac.compare_digest(check_code(number), (code or "").strip().upper())
