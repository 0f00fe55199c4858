"""The life of one outgoing text, as GOV.UK Notify models it: it only ever moves forward.

queued → sending → sent → delivered → read | undelivered;  failed and skipped end it at any point.
(`read` is Zalo's: the citizen opened the message. SMS never says so.)
"""

from __future__ import annotations

QUEUED = "queued"
SENDING = "sending"
SENT = "sent"
DELIVERED = "delivered"
READ = "read"
UNDELIVERED = "undelivered"
FAILED = "failed"
# Not sent on purpose: the number opted out (HUY/STOP), or the alert kind is off for the office.
SKIPPED = "skipped"

_RANK = {QUEUED: 0, SENDING: 1, SENT: 2, DELIVERED: 3, READ: 4, UNDELIVERED: 3, FAILED: 3, SKIPPED: 3}
STATUSES = tuple(_RANK)
FINAL = frozenset(s for s, rank in _RANK.items() if rank >= 3)


def can_move(current: str, new: str) -> bool:
    """Whether a notification in `current` may become `new`; a late report never undoes a later one."""
    return _RANK[new] > _RANK[current]
