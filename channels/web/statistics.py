"""The public on-time statistics: `/thong-ke` (a table and an inline SVG chart) and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from babel.dates import format_skeleton
from flask import Blueprint, Response, current_app, request

from channels.web import charts, pages
from channels.web.ratelimit import lookup_limit
from channels.web.site import page_language, render
from lookup import messages, stats
from lookup.messages import N_
from lookup.service import Service

blueprint = Blueprint("statistics", __name__, template_folder="templates")
blueprint.after_request(pages.remember_language)
blueprint.register_error_handler(Exception, pages.unexpected)
# The page counts against the lookup limit (walking months is not free); its 429 is the pages'.
blueprint.register_error_handler(429, pages.too_many)


MONTH_PROBLEMS = {
    "format": N_("Choose a month as year and month, for example 2026-11."),
    "future": N_("That month has not started yet. Here is the current month."),
}

CSV_COLUMNS = ("month", "office_id", "office_name", "received", "resolved", "resolved_on_time",
               "on_time_percent", "in_progress", "overdue_in_progress")


def service() -> Service:
    return current_app.extensions["tracuu.service"]


def month_figures(month: stats.Month) -> stats.MonthFigures:
    """The figures scan the dossiers: kept per process (lookup.stats.FiguresCache)."""
    return figures_cache().get(month, service().clock())


def figures_cache() -> stats.FiguresCache:
    cache = current_app.extensions.get("tracuu.web.figures")
    if cache is None:
        cache = current_app.extensions["tracuu.web.figures"] = stats.FiguresCache(service().store)
    return cache


def chosen_month() -> tuple[stats.Month, str | None]:
    """The month asked for; with none, the latest month with data (not an empty 1st)."""
    now = service().clock()
    asked = request.args.get("month")
    if not asked:
        return figures_cache().latest_with_data(now), None
    try:
        return stats.Month.parse(asked[:20], now), None
    except stats.BadMonth as bad:
        return stats.Month.containing(now), MONTH_PROBLEMS[bad.reason]


@blueprint.get("/thong-ke")
@lookup_limit
def statistics() -> Any:
    month, problem = chosen_month()
    figures = month_figures(month)
    lang = page_language()
    overall = figures.overall
    chart = charts.bars(
        [(office.name(lang), office.on_time_percent) for office in figures.offices]
        + [(messages.gettext(lang, N_("All offices")), overall.on_time_percent)]
    )
    current = stats.Month.containing(service().clock())
    # Opened on an earlier month because nothing happened yet in this one: say so.
    earlier = month < current and not request.args.get("month")
    return render(
        "stats.html", figures=figures, overall=overall, chart=chart, problem=problem,
        procedures=service().expected_table(),
        month=month, month_label=month_label(month, lang), current=current,
        current_label=month_label(current, lang) if earlier else None,
        previous=month.previous(), following=month.next() if month < current else None,
    ), 400 if problem else 200


# What makes a spreadsheet read a cell as a formula (OWASP's "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """Text as a spreadsheet shows it, never as a formula: an office's name is the office's
    to choose, and `=HYPERLINK(…)` must stay words."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def month_label(month: stats.Month, lang: str) -> str:
    return format_skeleton("yMMMM", date(month.year, month.month, 1), locale=lang)


@blueprint.get("/thong-ke.csv")
@lookup_limit
def statistics_csv() -> Any:
    """The figures as CSV. `?sep=semicolon` writes what a spreadsheet set to Vietnamese (or any
    locale whose decimal mark is a comma) opens into columns: `;` between cells and `75,0`."""
    month, problem = chosen_month()
    if problem:
        return Response(messages.gettext(page_language(), problem) + "\n", 400,
                        mimetype="text/plain")
    figures = month_figures(month)
    lang = page_language()
    semicolon = request.args.get("sep") == "semicolon"
    out = io.StringIO()
    # The byte-order mark lets spreadsheet programs read the Vietnamese names as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", delimiter=";" if semicolon else ",")
    writer.writerow(CSV_COLUMNS)
    for office in (*figures.offices, figures.overall):
        percent = office.on_time_percent
        shown = "" if percent is None else f"{percent:.1f}"
        writer.writerow([
            str(month), spreadsheet_text(office.office_id or "ALL"),
            spreadsheet_text(office.name(lang) or messages.gettext(lang, N_("All offices"))),
            office.received, office.resolved, office.resolved_on_time,
            shown.replace(".", ",") if semicolon else shown, office.in_progress,
            office.overdue_in_progress,
        ])
    response = Response(out.getvalue(), mimetype="text/csv")
    name = f"thong-ke-{month}" + ("-excel" if semicolon else "")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


PROCEDURE_CSV_COLUMNS = ("office_id", "office_name", "procedure", "p50_working_days",
                         "p90_working_days", "on_time_percent", "samples", "computed_at")


@blueprint.get("/thong-ke/thu-tuc.csv")
@lookup_limit
def procedures_csv() -> Any:
    """How long each procedure takes at each office (lookup.expected), as on the page."""
    lang = page_language()
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PROCEDURE_CSV_COLUMNS)
    for row in service().expected_table():
        writer.writerow([
            spreadsheet_text(row.office_id),
            spreadsheet_text((row.name_en if lang == "en" else "") or row.name_vi),
            spreadsheet_text(row.procedure), row.p50_working_days, row.p90_working_days,
            f"{100 * row.on_time_share:.1f}", row.samples, row.computed_at.date().isoformat(),
        ])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="thong-ke-thu-tuc.csv"'
    return response
