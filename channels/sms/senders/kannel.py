"""Outbound SMS through Kannel's smsbox `sendsms` HTTP interface.

Kannel 1.4 answers `0: Accepted for delivery` or `3: Queued for later delivery` and returns no
message id, so we make one and put it, with our reference, in the `dlr-url` Kannel calls back;
the URL carries an HMAC of both instead of the shared secret itself.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from urllib.parse import urlencode

import requests

from channels.sms.encoding import needs_ucs2
from channels.sms.senders.base import Sender, SendError, http_session

# dlr-mask bits: 1 delivered to phone, 2 not delivered, 4 queued on SMSC, 8 accepted by SMSC,
# 16 rejected by SMSC.
DLR_MASK = 1 | 2 | 4 | 8 | 16
# Kannel's own escapes, expanded when it calls the dlr-url: %d report type, %A SMSC's answer,
# %p receiver, %T time of the report.
DLR_ESCAPES = {"type": "%d", "answer": "%A", "to": "%p", "at": "%T"}
ACCEPTED = ("0:", "3:")


def dlr_token(secret: str, message_id: str, reference: str) -> str:
    """What proves a delivery report came from the dlr-url we gave Kannel."""
    payload = f"{message_id}\n{reference}".encode()
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()[:32]


class KannelSender(Sender):
    name = "kannel"

    def __init__(self, sendsms_url: str, username: str, password: str, from_: str, *, dlr_url: str,
                 secret: str, smsc: str = "", timeout: float = 10.0) -> None:
        if not (sendsms_url and username and password):
            raise ValueError("Kannel needs KANNEL_SENDSMS_URL, KANNEL_USERNAME and KANNEL_PASSWORD")
        if not secret:
            raise ValueError("Kannel needs KANNEL_SECRET to sign its delivery reports")
        self.sendsms_url = sendsms_url
        self.username = username
        self.password = password
        self.from_ = from_
        self.dlr_url = dlr_url
        self.secret = secret
        self.smsc = smsc
        self.timeout = timeout
        self.session = http_session(sendsms_url)

    def try_send(self, to: str, text: str, reference: str | None) -> str:
        message_id = f"kannel-{uuid.uuid4().hex}"
        params = {
            "username": self.username,
            "password": self.password,
            "to": to,
            "text": text,
            "charset": "UTF-8",
            # 0: GSM-7, 2: UCS-2 (Kannel converts from `charset`).
            "coding": "2" if needs_ucs2(text) else "0",
            "dlr-mask": str(DLR_MASK),
            "dlr-url": self.dlr_callback(message_id, reference or ""),
        }
        if self.from_:
            params["from"] = self.from_
        if self.smsc:
            params["smsc"] = self.smsc
        try:
            response = self.session.get(self.sendsms_url, params=params, timeout=self.timeout)
        except requests.RequestException as error:
            raise SendError(f"kannel unreachable: {error}", retryable=True) from error
        answer = response.text.strip()
        if 200 <= response.status_code < 300 and answer.startswith(ACCEPTED):
            return message_id
        retryable = response.status_code >= 500 or response.status_code in (408, 429)
        raise SendError(f"kannel {response.status_code}: {answer[:200]}", retryable=retryable,
                        provider_code=str(response.status_code))

    def dlr_callback(self, message_id: str, reference: str) -> str:
        query = {"id": message_id, "ref": reference, "sig": dlr_token(self.secret, message_id, reference)}
        # Kannel's escapes must reach it unencoded, so they are appended by hand.
        escapes = "&".join(f"{name}={escape}" for name, escape in DLR_ESCAPES.items())
        return f"{self.dlr_url}?{urlencode(query)}&{escapes}"
