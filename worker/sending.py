"""One alert, from its row to the provider and back, sent at most once where the provider can say.

The row in the database is the truth; Redis only says when to look at it. Every step that
changes the row is a compare-and-set on what this worker read, so two workers running the
same notification (a sweeper re-enqueue, RQ re-running a job whose worker died) cannot both
send it:

- `queued` -> `sending` (sending_at = now) is claimed by exactly one worker before the provider
  is called; the provider's message id is recorded with `sending` -> `sent`.
- After a provider error the row stays `sending` with no `sending_at` (between tries; the status
  never goes back) and RQ's Retry runs the job again later.
- A row `sending` with a `sending_at` older than the lease belongs to a worker that died. Before
  sending again we ask the provider whether the text already went out (Twilio's Messages list);
  Kannel and Zalo cannot say, so there it is sent again and the possible duplicate is counted.
- The row's `channel` (ALERT_CHANNELS, e.g. zalo then sms) says what carries it. When Zalo says
  this person cannot get it, or has failed ZALO_FALLBACK_AFTER_TRIES times in ways that may pass,
  the row moves to the next channel (compare-and-set, with the reason) before that channel is
  tried, and never back: a refusal means Zalo did not take it, so the citizen gets it once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

import metrics
from channels.sms.senders import CannotAsk, SendError
from lookup import delivery
from lookup.privacy import mask_phone
from lookup.recipients import CODE_LIFETIME
from lookup.store import notifications as rows
from worker import dispatch, policy, quiet
from worker.context import Alerts

log = logging.getLogger(__name__)

# Clocks of the machine that scheduled a text and the one running it may differ a little.
EARLY = timedelta(minutes=1)


class RetryLater(Exception):
    """A provider error worth another try; RQ's Retry (declared at enqueue) schedules it."""


def deliver(alerts: Alerts, notification_id: int, retries_left: int | None) -> str:
    """Send one notification if it still needs sending; what happened, as one word.

    Raises RetryLater when the provider failed in a way that may pass and tries are left.
    """
    # One connection for the whole job, each step its own short transaction: nothing is held
    # open while the provider is called.
    with alerts.store.connect() as conn:
        row = rows.get_for_sending(conn, notification_id)
        conn.commit()
        if row is None:
            return "gone"
        if row.status not in (delivery.QUEUED, delivery.SENDING):
            return "done"
        try:
            outcome = _Attempt(alerts, conn, row, retries_left).run()
        except RetryLater:
            metrics.alert(row.kind, "retrying")
            raise
        metrics.alert(row.kind, outcome)
        return outcome


class _Attempt:
    def __init__(self, alerts: Alerts, conn: Connection, row: Row, retries_left: int | None) -> None:
        self.alerts = alerts
        self.conn = conn
        self.row = row
        self.retries_left = retries_left
        self.now = alerts.now()
        # The demo's dossiers have real-looking numbers: their texts never leave the machine
        # (worker.context.Alerts.demo_carrier: the console, by "SMS").
        self.channel: str = "sms" if row.demo else row.channel
        self.fallback_reason: str = row.fallback_reason
        # What the row holds while this worker has it; every write is conditional on it.
        self.expected: dict[str, Any] = {"status": row.status, "sending_at": None}

    def run(self) -> str:
        row, now = self.row, self.now
        orphaned = row.status == delivery.SENDING and row.sending_at is not None
        if orphaned:
            if now - row.sending_at < self.alerts.lease:
                return "busy"  # another worker is sending it right now
            if not self._claim(row.sending_at):
                return "busy"
            log.warning("alert %s was left in sending by a dead worker or a timed-out job (since %s); "
                        "taking it over", row.id, row.sending_at.isoformat())
            found = self._ask(orphaned=True)
            if found is not None:
                return found
        if not orphaned and row.send_after is not None and row.send_after > now + EARLY:
            return "early"  # its own job is scheduled; the sweeper re-enqueues it if that is lost
        if row.opted_out:
            return self._end(delivery.SKIPPED, "opted out")
        confirmation = row.kind == policy.CONFIRM_PHONE
        if confirmation and now >= row.created_at + CODE_LIFETIME:
            return self._end(delivery.FAILED, f"expired: the code lives {CODE_LIFETIME}")
        if now >= self.alerts.expires_at(row.created_at, row.send_after):
            return self._end(delivery.FAILED, f"expired: not sent within {self.alerts.validity}")
        # A code someone asked for this minute goes out at night too; alerts wait for morning.
        allowed = now if confirmation else quiet.next_allowed(self.alerts.quiet_hours, now)
        if allowed > now:
            return self._defer(allowed)
        if not orphaned:
            if not self._claim(None):
                return "busy"
            if row.status == delivery.SENDING:
                # An earlier try failed; its error may have been a lost answer to a text that went.
                found = self._ask(orphaned=False)
                if found is not None:
                    return found
        return self._send()

    @property
    def carrier(self):
        return self.alerts.demo_carrier if self.row.demo else self.alerts.carrier(self.channel)

    # -- steps -------------------------------------------------------------------------------
    def _cas(self, expected: dict[str, Any], values: dict[str, Any]) -> bool:
        try:
            changed = rows.compare_and_set(self.conn, self.row.id, expected, values)
            self.conn.commit()
        except Exception:
            self.conn.rollback()
            raise
        return changed

    def _claim(self, sending_at: datetime | None) -> bool:
        claimed = self._cas({"status": self.row.status, "sending_at": sending_at},
                       {"status": delivery.SENDING, "sending_at": self.now,
                        "attempts": self.row.attempts + 1, "updated_at": self.now})
        if claimed:
            self.expected = {"status": delivery.SENDING, "sending_at": self.now}
        return claimed

    def _ask(self, *, orphaned: bool) -> str | None:
        """Whether the provider already has this text; the outcome if so (or if asking failed)."""
        row = self.row
        try:
            message_id = self.carrier.find_sent(row)
        except CannotAsk:
            if orphaned:
                self._count_possible_duplicate("its worker died while sending")
            return None
        except SendError as error:
            return self._failed_try(error)
        if message_id is None:
            return None
        log.info("alert %s was already accepted by %s as %s; recorded, not sent again", row.id,
                 self.carrier.name, message_id)
        self._record_sent(message_id)
        return "found"

    def _send(self) -> str:
        row = self.row
        carrier = self.carrier
        carrier.pacer.wait_for_slot()
        try:
            message_id = carrier.send(row)
        except SendError as error:
            return self._failed_try(error)
        self._record_sent(message_id)
        return "sent"

    def _record_sent(self, message_id: str) -> None:
        now = self.alerts.now()
        if not self._cas(self.expected,
                    {"status": delivery.SENT, "channel": self.channel, "provider": self.carrier.name,
                     "provider_message_id": message_id, "sent_at": now, "error": "", "updated_at": now}):
            log.error("alert %s: sent as %s but the row changed under us", self.row.id, message_id)

    def _failed_try(self, error: SendError) -> str:
        reason = f"{error}"[:500]
        now = self.alerts.now()
        expires = self.alerts.expires_at(self.row.created_at, self.row.send_after)
        last = not self.retries_left or now >= expires
        if error.unanswered and not self.carrier.can_ask:
            # It may have gone out; whatever carries it next may make it twice.
            self._count_possible_duplicate(f"{self.carrier.name} gave no answer ({reason})")
        row = self.row
        following, skipped = self.alerts.routing.after(self.channel, row.kind, row.language, row.to_phone)
        tries = row.attempts + 1  # this one included; counted from the alert's first try
        if following is not None and (not error.retryable or last or tries >= self.alerts.fallback_after):
            return self._fall_back(following, reason if not error.retryable else
                                   f"{reason} (after {tries} tries)", skipped)
        if error.retryable and not last:
            self._cas(self.expected,
                 {"sending_at": None, "error": f"retrying: {reason}", "updated_at": now})
            raise RetryLater(f"alert {self.row.id}: {reason}")
        if error.retryable:
            reason = f"gave up after {self.row.attempts + 1} tries: {reason}"
        return self._end(delivery.FAILED, reason)

    def _fall_back(self, following: str, reason: str, skipped: str) -> str:
        """Move the row to the next channel (still ours, still `sending`) and send it there."""
        parts = (self.fallback_reason, f"{self.channel}: {reason}", skipped)
        said = "; ".join(part for part in parts if part)
        if not self._cas(self.expected, {"channel": following, "fallback_reason": said[:1000], "error": "",
                                         "updated_at": self.alerts.now()}):
            return "busy"
        log.info("alert %s: %s cannot carry it (%s); %s carries it", self.row.id, self.channel, reason,
                 following)
        self.channel, self.fallback_reason = following, said
        return self._send()

    def _end(self, status: str, reason: str) -> str:
        done = self._cas(self.expected,
                    {"status": status, "error": reason, "updated_at": self.alerts.now()})
        if done:
            log.info("alert %s %s: %s", self.row.id, status, reason)
        return status if done else "busy"

    def _defer(self, allowed: datetime) -> str:
        if not self._cas(self.expected,
                    {"send_after": allowed, "sending_at": None, "updated_at": self.now}):
            return "busy"
        try:
            dispatch.enqueue(self.alerts, self.row.id, allowed, now=self.now)
        except Exception as error:  # the sweeper enqueues it when it is due
            log.warning("alert %s deferred to %s but not enqueued: %s", self.row.id, allowed, error)
        return "deferred"

    def _count_possible_duplicate(self, why: str) -> None:
        rows.add_possible_duplicate(self.conn, self.row.id)
        self.conn.commit()
        log.warning("alert %s to %s: %s and %s cannot say whether it went out; sending again may "
                    "duplicate it", self.row.id, mask_phone(self.row.to_phone), why, self.carrier.name)

