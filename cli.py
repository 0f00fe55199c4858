"""`flask --app app …` commands for operators."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext


def init_app(app: Flask) -> None:
    app.cli.add_command(create_api_key)
    app.cli.add_command(list_api_keys)
    app.cli.add_command(revoke_api_key)
    app.cli.add_command(import_csv)
    app.cli.add_command(db_upgrade)
    app.cli.add_command(load_demo)
    app.cli.add_command(merge_agency)
    app.cli.add_command(unmerge_agency)
    app.cli.add_command(calendar_import)
    app.cli.add_command(calendar_show)
    app.cli.add_command(expected_refresh)


@click.command("create-api-key")
@with_appcontext
@click.argument("agency_id")
@click.option("--label", default="", help="Who holds the key (shown nowhere but the database).")
def create_api_key(agency_id: str, label: str) -> None:
    """Create an API key for the back-office of AGENCY_ID; the key is on the last line."""
    service = current_app.extensions["tracuu.service"]
    key = service.create_api_key(agency_id, label)
    acts_for = service.agency_for_key(key)
    if acts_for != agency_id:
        click.echo(f"{agency_id} was merged into {acts_for}: this key acts for {acts_for}", err=True)
    click.echo(f"API key for {agency_id} (shown once; store it in the back-office settings):", err=True)
    click.echo(key)


@click.command("list-api-keys")
@with_appcontext
@click.argument("agency_id")
def list_api_keys(agency_id: str) -> None:
    """List AGENCY_ID's API keys: id, created, revoked, label. Keys are stored hashed, so the
    keys themselves cannot be shown; revoke one by its id."""
    found = current_app.extensions["tracuu.service"].api_keys(agency_id)
    if not found:
        click.echo(f"no API keys for {agency_id}", err=True)
        return
    for key in found:
        revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}Z" if key.revoked_at else "live"
        click.echo(f"{key.id}\tcreated {key.created_at:%Y-%m-%d %H:%M}Z\t{revoked}\t{key.label}")


@click.command("revoke-api-key")
@with_appcontext
@click.argument("key_or_id")
def revoke_api_key(key_or_id: str) -> None:
    """Revoke an API key, given as the key itself or its id (list-api-keys): from the next
    request on it gets 401. Create a new one with create-api-key."""
    found = current_app.extensions["tracuu.service"].revoke_api_key(key_or_id)
    if found is None:
        raise click.ClickException("no such API key")
    if found.revoked_at is not None:
        click.echo(f"key {found.id} of {found.agency_id} was already revoked", err=True)
        return
    click.echo(f"key {found.id} of {found.agency_id} ({found.label or 'no label'}) revoked")


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create the database or bring it to the newest schema (Alembic)."""
    from lookup.store import migrate

    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is at the newest schema", err=True)


@click.command("import-csv")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=2000, show_default=True, help="Rows per transaction.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def import_csv(path: str, batch_size: int, quiet: bool) -> None:
    """Import dossiers from a legacy system's CSV file. Safe to run again on the same file.

    Columns: code, agency_id, procedure_name, applicant_name, applicant_phone, received_at,
    due_at, status; optional: procedure_name_en, status_at, language, pin, note, handling_office.
    """
    from lookup import importer

    try:
        report = importer.import_file(current_app.extensions["tracuu.service"], path,
                                      batch_size=batch_size, progress=not quiet)
    except importer.BadFile as bad:
        raise click.ClickException(f"{path}: {bad}") from None
    for line, reason in report.rejected[:50]:
        click.echo(f"line {line}: {reason}", err=True)
    if len(report.rejected) > 50:
        click.echo(f"… and {len(report.rejected) - 50} more rejected lines", err=True)
    click.echo(f"imported {report.imported} rows, rejected {len(report.rejected)}")
    if report.placeholder_agencies:
        new = ", ".join(sorted(report.placeholder_agencies))
        click.echo(f"offices new to tracuu, stored as placeholders: {new}\n"
                   "describe each (name, address, pickup hours, hotline) with PUT /api/v1/agencies/<id>")


@click.command("load-demo")
@with_appcontext
def load_demo() -> None:
    """Load the demo offices and dossiers listed in the README (idempotent).

    Only into the embedded default database, or where DEMO=1 says so: the demo's phone
    numbers look real, and its texts go to the console whatever SMS_SENDER says.
    """
    from lookup import demo

    if not current_app.config["DEMO"]:
        raise click.ClickException("the demo loads only into the embedded default database "
                                   "(DATABASE_URL is set or DEMO=0); DEMO=1 loads it here anyway")
    listed = demo.load(current_app.extensions["tracuu.service"])
    for code, pin, status in listed:
        click.echo(f"{code}  PIN {pin}  {status}")


@click.command("merge-agency")
@with_appcontext
@click.argument("agency_id")
@click.argument("into")
def merge_agency(agency_id: str, into: str) -> None:
    """Record that office AGENCY_ID was merged into office INTO (the 2025 reform).

    Its dossiers keep their codes and are shown with INTO's name, address, hours and hotline;
    INTO's keys may write them and AGENCY_ID's keys now act for INTO. Undo with unmerge-agency.
    """
    from lookup import mergers

    try:
        done = mergers.merge(current_app.extensions["tracuu.store"], agency_id, into)
    except mergers.MergeRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{done.agency_id} ({done.agency_name}) is now part of {done.office_id} ({done.office_name})")
    if done.office_id != into:
        click.echo(f"  ({into} had itself been merged into {done.office_id})")
    if done.followers:
        click.echo(f"  with the offices merged into it before: {', '.join(done.followers)}")
    click.echo(f"  {done.dossiers} dossiers are now shown with {done.office_id}; "
               f"{done.api_keys} API keys now act for it")


@click.command("unmerge-agency")
@with_appcontext
@click.argument("agency_id")
def unmerge_agency(agency_id: str) -> None:
    """Undo merge-agency for AGENCY_ID: its dossiers are shown with it again."""
    from lookup import mergers

    try:
        office_id = mergers.unmerge(current_app.extensions["tracuu.store"], agency_id)
    except mergers.MergeRefused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"{agency_id} is no longer part of {office_id}")


@click.command("calendar-import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--replace", is_flag=True,
              help="Forget the swaps stored earlier for the years this file names.")
def calendar_import(path: str, replace: bool) -> None:
    """Import the year's announced swaps of working days from a CSV file.

    One line per day: date (YYYY-MM-DD), off or work, reason; e.g.
    `2027-02-03,off,Nghỉ Tết (thay cho thứ Bảy 2027-01-30)` and `2027-01-30,work,Làm bù`.
    A header row is allowed. Nothing is stored if any line is wrong.
    """
    from lookup import calendar

    with open(path, encoding="utf-8-sig", errors="surrogateescape", newline="") as handle:
        swaps, bad = calendar.read_swaps(handle)
    for problem in bad:
        click.echo(f"line {problem.line}: {problem.problem}", err=True)
    if bad:
        raise click.ClickException(f"{path}: {len(bad)} wrong lines; nothing imported")
    years = sorted({swap.day.year for swap in swaps})
    removed = current_app.extensions["tracuu.service"].put_swaps(
        swaps, replace_years=years if replace else ())
    if removed:
        click.echo(f"removed {removed} earlier swaps of {', '.join(map(str, years))}", err=True)
    click.echo(f"imported {len(swaps)} swaps"
               + (f" for {', '.join(map(str, years))}" if years else ""))


@click.command("calendar-show")
@with_appcontext
@click.argument("year", type=click.IntRange(2000, 2100))
def calendar_show(year: int) -> None:
    """The days off and the weekend days worked in YEAR, one a line: `YYYY-MM-DD off|work reason`."""
    calendar = current_app.extensions["tracuu.service"].calendar()
    for day in calendar.days_of(year):
        click.echo(f"{day.day.isoformat()} {day.kind} {day.reason}".rstrip())


@click.command("expected-refresh")
@with_appcontext
def expected_refresh() -> None:
    """Recompute how long each procedure takes at each office (p50/p90 working days, share on
    time) from the dossiers finished in the last 12 months. The alerts worker runs it nightly."""
    service = current_app.extensions["tracuu.service"]
    done = service.refresh_expected()
    click.echo(f"{done.pairs} office/procedure pairs from {done.dossiers} dossiers finished since "
               f"{done.since:%Y-%m-%d}; {done.shown} with at least {service.expected_min_samples} "
               f"are shown (EXPECTED_MIN_SAMPLES)")
