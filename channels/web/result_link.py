"""Where the form's answer lives, so Back and reload work (Post/Redirect/Get).

The form posts the code and PIN; the answer is a 303 to `/tra-cuu/<ticket>`, a page Back and
reload can show again without posting anything. The ticket says what the post proved, not
what was typed: the code, whether the PIN opened the full view (and for which receipt: a
reissue voids it as it voids the QR links, lookup.qr), and until when PINs were locked, so a
locked result keeps its notice, and when it was made. It is encrypted and authenticated with a
key derived from SECRET_KEY (AES-GCM with a random nonce: one call to the library each way,
where Fernet's AES and HMAC in several steps cost a result page more), so neither the code nor
anything else can be read from a URL that history or a log keeps, nor forged; and it lives
LIFETIME_SECONDS, so it never becomes a lasting way into someone's dossier. The PIN itself is
never in it.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Long enough to read the page, go Back to it, switch its language; short enough that a
# shared computer's history does not open someone's dossier later.
LIFETIME_SECONDS = 10 * 60
MAX_TICKET_LENGTH = 400
NONCE_BYTES = 12
# A ticket made on another web node whose clock is a little ahead is still good.
CLOCK_SKEW_SECONDS = 60


@dataclass(frozen=True)
class Ticket:
    code: str
    # The PIN was right: the full view, for the receipt version in force then.
    proven: bool = False
    receipt_version: int = 0
    # The PIN could not be used (lookup.pins): the notice stays on the page until then.
    pin_locked_until: datetime | None = None


class Tickets:
    def __init__(self, secret: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"tracuu web-result-ticket").derive(secret.encode())
        self._aead = AESGCM(key)

    def make(self, ticket: Ticket, now: datetime) -> str:
        locked = int(ticket.pin_locked_until.timestamp()) if ticket.pin_locked_until else 0
        payload = json.dumps([ticket.code, int(ticket.proven), ticket.receipt_version, locked,
                              int(now.timestamp())], separators=(",", ":"))
        nonce = os.urandom(NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, payload.encode(), None)
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def read(self, token: str, now: datetime) -> Ticket | None:
        """The ticket, or None when it is forged, edited, garbled or older than its lifetime."""
        if not token or len(token) > MAX_TICKET_LENGTH or not token.isascii():
            return None
        try:
            sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            payload = self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None)
            code, proven, version, locked, made = json.loads(payload)
        except (InvalidTag, binascii.Error, ValueError, TypeError):
            return None
        age = now.timestamp() - made
        if not -CLOCK_SKEW_SECONDS <= age <= LIFETIME_SECONDS:
            return None
        until = datetime.fromtimestamp(locked, UTC) if locked else None
        return Ticket(code, bool(proven), version, until)
