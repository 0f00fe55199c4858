"""Signed tokens for the QR code on the receipt: scanning one is proof of holding the receipt.

The token carries the dossier code and an HMAC over it, so it cannot be forged or edited;
it stays short so the QR code stays small and easy to scan.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_SIGNATURE_BYTES = 12


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(code: str, secret: str) -> bytes:
    return hmac.new(secret.encode(), b"qr:" + code.encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def make_token(code: str, secret: str) -> str:
    return f"{_b64(code.encode())}.{_b64(_signature(code, secret))}"


def read_token(token: str, secret: str) -> str | None:
    """The dossier code in a genuine token; None for anything forged, edited or garbled."""
    if not token or len(token) > 200 or token.count(".") != 1:
        return None
    body, signature = token.split(".")
    try:
        code = _unb64(body).decode()
        given = _unb64(signature)
    except (ValueError, UnicodeDecodeError):
        return None
    return code if hmac.compare_digest(given, _signature(code, secret)) else None
