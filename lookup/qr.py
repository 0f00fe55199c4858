"""Signed tokens for the QR code on the receipt: scanning one is proof of holding the receipt.

The token carries the dossier code and an HMAC over it, so it cannot be forged or edited;
it stays short so the QR code stays small and easy to scan. A reissued receipt (lost, or its
PIN locked) has a version: `code.version.signature`, signed over both, and the dossier only
accepts its current version. Version 0 is the original `code.signature`, so receipts printed
before versions existed still open.
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


def _signature(code: str, version: int, secret: str) -> bytes:
    signed = b"qr:" + code.encode() + (f":{version}".encode() if version else b"")
    return hmac.new(secret.encode(), signed, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def make_token(code: str, secret: str, version: int = 0) -> str:
    middle = f".{version}" if version else ""
    return f"{_b64(code.encode())}{middle}.{_b64(_signature(code, version, secret))}"


def read_token(token: str, secret: str) -> tuple[str, int] | None:
    """The dossier code and receipt version in a genuine token; None for anything forged,
    edited or garbled."""
    if not token or len(token) > 200 or token.count(".") not in (1, 2):
        return None
    body, *middle, signature = token.split(".")
    version_text = middle[0] if middle else "0"
    if not (version_text.isascii() and version_text.isdigit()) or len(version_text) > 6:
        return None
    version = int(version_text)
    if middle and version == 0:
        return None
    try:
        code = _unb64(body).decode()
        given = _unb64(signature)
    except (ValueError, UnicodeDecodeError):
        return None
    return (code, version) if hmac.compare_digest(given, _signature(code, version, secret)) else None
