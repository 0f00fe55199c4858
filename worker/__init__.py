"""Proactive alerts: RQ jobs that text citizens when something about their dossier changes.

policy.py says what triggers what; outbox.py writes the rows in the change's own transaction
and enqueues them after commit; jobs.py/sending.py send them; sweeper.py and scan.py run
periodically inside every worker process (runner.py); texts.py words them (catalogue: alerts).
"""

from flask import Flask

from worker.context import EXTENSION, Alerts
from worker.outbox import Outbox


def init_app(app: Flask) -> None:
    """Attach the alert outbox to the core's changes and register the `alerts` commands."""
    from worker import cli

    alerts = Alerts(app)
    app.extensions[EXTENSION] = alerts
    app.extensions["tracuu.service"].listeners.append(Outbox(alerts))
    app.cli.add_command(cli.alerts)
    app.cli.add_command(cli.alerts_worker)
