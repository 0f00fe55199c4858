"""Provider delivery statuses mapped onto ours (lookup.delivery), one table per provider.

None means "nothing to record": the report says less than we already know.
"""

from __future__ import annotations

from lookup import delivery

# https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
TWILIO = {
    "accepted": None,
    "scheduled": None,
    "queued": None,
    "sending": delivery.SENDING,
    "sent": delivery.SENT,
    "delivered": delivery.DELIVERED,
    "read": delivery.DELIVERED,
    "undelivered": delivery.UNDELIVERED,
    "failed": delivery.FAILED,
    "canceled": delivery.FAILED,
    "partially_delivered": delivery.UNDELIVERED,
}

# Kannel's DLR types (the %d of a dlr-url).
KANNEL = {
    1: delivery.DELIVERED,  # delivered to the phone
    2: delivery.UNDELIVERED,  # not delivered to the phone
    4: delivery.SENT,  # queued on the SMSC
    8: delivery.SENT,  # accepted by the SMSC
    16: delivery.FAILED,  # rejected by the SMSC
}


class UnknownStatus(ValueError):
    pass


def from_twilio(status: str) -> str | None:
    try:
        return TWILIO[status.strip().lower()]
    except KeyError:
        raise UnknownStatus(status) from None


def from_kannel(kind: str) -> str | None:
    try:
        return KANNEL[int(kind)]
    except (KeyError, ValueError):
        raise UnknownStatus(kind) from None
