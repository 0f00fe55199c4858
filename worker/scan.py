"""The daily scan: apologies for dossiers found past their due date, and one reminder for
results waiting too long to be collected. Run it as often as you like: each finding has a
cause (the due date missed, the day it became ready) and the outbox keeps one row per cause."""

from __future__ import annotations

import logging
from datetime import datetime

from lookup import statuses
from lookup.store import notifications as rows
from worker import dispatch, outbox, policy
from worker.context import Alerts

log = logging.getLogger(__name__)

BATCH = 500
FINAL = tuple(code for code, status in statuses.STATUSES.items() if status.final)


def daily_scan(alerts: Alerts, now: datetime | None = None) -> dict[str, int]:
    """New alerts written (and enqueued), by kind."""
    now = now or alerts.now()
    created = {policy.OVERDUE: 0, policy.PICKUP_REMINDER: 0}
    calendar = alerts.service.calendar()
    ready_bound = policy.ready_before(now, alerts.reminder_days)

    def overdue(conn, after):
        return rows.overdue_dossiers(conn, now, policy.scan_since(now, calendar), FINAL, BATCH, after)

    def waiting(conn, after):
        return rows.waiting_for_pickup(conn, ready_bound, policy.scan_since(ready_bound, calendar),
                                       BATCH, after)

    def overdue_trigger(d):
        return policy.overdue(d.status, d.due_at, now)

    def reminder_trigger(d):
        return policy.pickup_reminder(d.status, d.status_at, now, alerts.reminder_days, calendar)

    for kind, query, trigger in ((policy.OVERDUE, overdue, overdue_trigger),
                                 (policy.PICKUP_REMINDER, waiting, reminder_trigger)):
        after = 0
        while True:
            with alerts.store.begin() as conn:
                found = query(conn, after)
                pending = []
                for dossier in found:
                    found_trigger = trigger(dossier)
                    if found_trigger is not None:
                        pending += outbox.write(alerts, conn, dossier, [found_trigger], now)
            created[kind] += len(pending)
            dispatch.enqueue_quietly(alerts, pending)
            if len(found) < BATCH:
                break
            after = found[-1].id
    log.info("daily scan: %s", created)
    return created
