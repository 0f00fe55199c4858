"""RQ job functions, at stable import paths. They take ids and reload what they need.

Only the functions named in `__all__` run in our workers (worker.runner.GuardedJob): a job in
Redis naming any other callable is refused and marked failed without being imported or called.
"""

from __future__ import annotations

from rq import get_current_job

from worker import context, sending

__all__ = ["answer_zalo_share", "answer_zalo_text", "noop", "send_alert"]


def send_alert(notification_id: int) -> str:
    """Send notification `notification_id` if it still needs sending; what happened."""
    job = get_current_job()
    retries_left = job.retries_left if job is not None else None
    return sending.deliver(context.current(), notification_id, retries_left)


def answer_zalo_text(user_id: str, text: str) -> str:
    """Answer a Zalo user's text through the OA (the SMS command handler, with accents)."""
    from channels.zalo import replies

    return replies.to_text(context.current(), user_id, text)


def answer_zalo_share(user_id: str, phone: str) -> str:
    """Link a Zalo user to the phone they shared with the OA, and say so."""
    from channels.zalo import replies

    return replies.to_share(context.current(), user_id, phone)


def noop(number: int) -> int:
    """Does nothing: the baseline of bench/alerts_throughput.py (RQ's own cost per job)."""
    return number


# What a job may name, as RQ writes it (`module.function`).
ALLOWED = frozenset(f"{__name__}.{name}" for name in __all__)
