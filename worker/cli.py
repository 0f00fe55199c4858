"""`flask --app app alerts …` for operators, and `flask --app app alerts-worker`."""

from __future__ import annotations

import logging
from collections import defaultdict

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from lookup import delivery
from lookup.store import notifications as rows
from worker import context, policy, queues


def _alerts() -> context.Alerts:
    return context.bind(current_app)


@click.group("alerts", cls=AppGroup, invoke_without_command=True)
@click.pass_context
@with_appcontext
def alerts(ctx: click.Context) -> None:
    """Counts of alerts by status and kind, and the failures with their reasons."""
    if ctx.invoked_subcommand is not None:
        return
    store = _alerts().store
    with store.connect() as conn:
        counted = rows.counts(conn)
        failed = rows.failures(conn)
        duplicates = rows.possible_duplicates(conn)
        switches = rows.switches(conn)
        by_channel = rows.channel_counts(conn)
        fell_back, newest_fallbacks = rows.fallbacks(conn)
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for status, kind, n in counted:
        table[kind][status] = n
    statuses = list(delivery.STATUSES)
    width = max([len(k) for k in table] + [len("kind")])
    click.echo("kind".ljust(width) + "".join(s.rjust(12) for s in statuses) + "total".rjust(9))
    for kind in sorted(table):
        numbers = [table[kind].get(s, 0) for s in statuses]
        click.echo(kind.ljust(width) + "".join(str(n).rjust(12) for n in numbers)
                   + str(sum(numbers)).rjust(9))
    totals = [sum(table[k].get(s, 0) for k in table) for s in statuses]
    click.echo("all".ljust(width) + "".join(str(n).rjust(12) for n in totals) + str(sum(totals)).rjust(9))
    click.echo(f"possible duplicates (a worker died mid-send where the provider cannot be asked): "
               f"{duplicates}")
    if len(by_channel) > 1 or any(row.channel != "sms" for row in by_channel):
        click.echo("by channel: " + ", ".join(f"{row.channel} {row.n}" for row in by_channel))
    if fell_back:
        click.echo(f"carried by a later channel (ALERT_CHANNELS), newest {len(newest_fallbacks)} of "
                   f"{fell_back}:")
        for row in newest_fallbacks:
            click.echo(f"  #{row.id} {row.code} {row.kind} -> {row.channel}: {row.fallback_reason}")
    off = [f"{s.agency_id} {s.kind}" for s in switches if not s.enabled]
    if off:
        click.echo("turned off: " + ", ".join(off))
    if failed:
        click.echo(f"failures (newest {len(failed)}):")
        for row in failed:
            click.echo(f"  #{row.id} {row.code} {row.kind} {row.status} after {row.attempts} tries: "
                       f"{row.error or '(no reason recorded)'}")
    else:
        click.echo("no failures")


@alerts.command("sweep")
def sweep_command() -> None:
    """Re-enqueue alerts left behind (e.g. Redis was down) now."""
    from worker import sweeper

    click.echo(f"re-enqueued {sweeper.sweep(_alerts())} alerts")


@alerts.command("scan")
def scan_command() -> None:
    """Run the daily scan now (overdue apologies, pickup reminders)."""
    from worker import scan

    created = scan.daily_scan(_alerts())
    click.echo(", ".join(f"{kind}: {n}" for kind, n in created.items()))


@alerts.command("off")
@click.argument("agency_id")
@click.argument("kind", type=click.Choice(policy.KINDS))
def off_command(agency_id: str, kind: str) -> None:
    """Stop sending alerts of KIND for the dossiers of AGENCY_ID (recorded as skipped)."""
    _switch(agency_id, kind, False)


@alerts.command("on")
@click.argument("agency_id")
@click.argument("kind", type=click.Choice(policy.KINDS))
def on_command(agency_id: str, kind: str) -> None:
    """Send alerts of KIND for AGENCY_ID again (the default)."""
    _switch(agency_id, kind, True)


def _check_zalo(alerts_: context.Alerts) -> None:
    """Say at start what will make every alert wait for the SMS fallback."""
    from channels.zalo.tokens import TokenUnavailable

    try:
        state = alerts_.zalo_tokens.state()
        click.echo(f"zalo: access token {'held' if state.access_token else 'not yet fetched'}", err=True)
    except TokenUnavailable as error:
        click.echo(f"zalo: WARNING {error}; alerts will go by SMS after ZALO_FALLBACK_AFTER_TRIES tries",
                   err=True)
    templated = sorted({kind for kind, _ in alerts_.routing.templates})
    missing = [kind for kind in policy.KINDS if kind not in templated]
    if missing:
        click.echo(f"zalo: no template for {', '.join(missing)} (ZALO_TEMPLATES): those go by SMS", err=True)


def _switch(agency_id: str, kind: str, enabled: bool) -> None:
    alerts_ = _alerts()
    with alerts_.store.begin() as conn:
        from lookup.store import dossiers

        agency = dossiers.get_agency(conn, agency_id)
        if agency is None:
            raise click.ClickException(f"no agency {agency_id}")
        if agency.merged_into:
            raise click.ClickException(f"{agency_id} was merged into {agency.merged_into}; "
                                       f"its dossiers follow the switches of {agency.merged_into}")
        rows.set_switch(conn, agency_id, kind, enabled, alerts_.now())
    click.echo(f"{kind} alerts {'on' if enabled else 'off'} for {agency_id}")


@click.command("alerts-worker")
@click.option("--queue", "queue_names", multiple=True, default=(queues.ALERTS,), show_default=True,
              help=f"The one queue this process works: {', '.join(queues.ALL)}. Run one process per queue.")
@click.option("--burst", is_flag=True, help="Quit when the queues are empty.")
@click.option("--no-housekeeping", is_flag=True, help="No sweeper and no daily scan in this process.")
@click.option("--name", default=None, help="Worker name (default: RQ's).")
@click.option("--fork", is_flag=True, help="Fork a work horse per job (RQ's default worker class).")
@with_appcontext
def alerts_worker(queue_names: tuple[str, ...], burst: bool, no_housekeeping: bool, name: str | None,
                  fork: bool) -> None:
    """Run an RQ worker with its scheduler for one queue, plus the sweeper and daily scan.

    One queue per process: RQ keeps a job it hands to a worker in a list of its own only when
    the worker listens to a single queue. With several it pops the job outright, and a worker
    killed before starting it loses it (still marked queued, in no list) for good.
    """
    from redis_connections import connect, describe
    from worker.runner import AlertWorker, ForkingAlertWorker, Periodic, work_until_stopped

    if len(queue_names) != 1:
        raise click.BadParameter("one queue per worker process (RQ could lose a job taken by a worker "
                                 "that listens to several and is killed); start one process per queue")
    (queue_name,) = queue_names
    if queue_name not in queues.ALL:
        raise click.BadParameter(f"unknown queue {queue_name}; expected one of {', '.join(queues.ALL)}")
    alerts_ = _alerts()
    carriers = []
    try:
        # A sender that cannot be built is a configuration error: say so now, not per text.
        for channel in alerts_.routing.channels:
            carriers.append(f"{channel} ({alerts_.carrier(channel).name})")
    except ValueError as error:
        raise click.ClickException(f"cannot send alerts: {error}") from None
    click.echo(f"alerts go out through {', then '.join(carriers)}", err=True)
    if "zalo" in alerts_.routing.channels:
        _check_zalo(alerts_)
    # The SDK logs every request's headers at INFO: a dozen lines per text, none of them useful.
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
    config = current_app.config
    click.echo(f"alerts queue: {describe(config)}", err=True)
    if not no_housekeeping and not burst:
        Periodic(alerts_).start()
    worker_class = ForkingAlertWorker if fork else AlertWorker
    work_until_stopped(lambda: worker_class([queue_name], connection=connect(config), name=name), burst)
