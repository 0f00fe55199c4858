"""The public on-time statistics: `/thong-ke` (a table and an inline SVG chart) and its CSV."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import date
from typing import Any

from babel.dates import format_skeleton
from flask import Blueprint, Response, current_app, request

from channels.web import charts, pages
from channels.web.site import page_language, render
from lookup import messages, stats
from lookup.messages import N_
from lookup.service import Service

blueprint = Blueprint("statistics", __name__, template_folder="templates")
blueprint.after_request(pages.remember_language)
blueprint.register_error_handler(Exception, pages.unexpected)

# The figures scan every dossier of the month: a public page keeps them for a minute.
CACHE_SECONDS = 60.0

MONTH_PROBLEMS = {
    "format": N_("Choose a month as year and month, for example 2026-11."),
    "future": N_("That month has not started yet. Here is the current month."),
}

CSV_COLUMNS = ("month", "office_id", "office_name", "received", "resolved", "resolved_on_time",
               "on_time_percent", "in_progress", "overdue_in_progress")


def service() -> Service:
    return current_app.extensions["tracuu.service"]


class FiguresCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, stats.MonthFigures]] = {}

    def get(self, month: stats.Month) -> stats.MonthFigures:
        key = str(month)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and time.monotonic() - kept[0] < CACHE_SECONDS:
            return kept[1]
        figures = stats.for_month(service().store, month, service().clock())
        with self._lock:
            if len(self._kept) > 240:
                self._kept.clear()
            self._kept[key] = (time.monotonic(), figures)
        return figures


def figures_cache() -> FiguresCache:
    cache = current_app.extensions.get("tracuu.web.figures")
    if cache is None:
        cache = current_app.extensions["tracuu.web.figures"] = FiguresCache()
    return cache


def chosen_month() -> tuple[stats.Month, str | None]:
    now = service().clock()
    asked = request.args.get("month")
    if not asked:
        return stats.Month.containing(now), None
    try:
        return stats.Month.parse(asked[:20], now), None
    except stats.BadMonth as bad:
        return stats.Month.containing(now), MONTH_PROBLEMS[bad.reason]


@blueprint.get("/thong-ke")
def statistics() -> Any:
    month, problem = chosen_month()
    figures = figures_cache().get(month)
    lang = page_language()
    overall = figures.overall
    chart = charts.bars(
        [(office.name(lang), office.on_time_percent) for office in figures.offices]
        + [(messages.gettext(lang, N_("All offices")), overall.on_time_percent)]
    )
    current = stats.Month.containing(service().clock())
    return render(
        "stats.html", figures=figures, overall=overall, chart=chart, problem=problem,
        month=month, month_label=month_label(month, lang), current=current,
        previous=month.previous(), following=month.next() if month < current else None,
    ), 400 if problem else 200


def month_label(month: stats.Month, lang: str) -> str:
    return format_skeleton("yMMMM", date(month.year, month.month, 1), locale=lang)


@blueprint.get("/thong-ke.csv")
def statistics_csv() -> Any:
    month, problem = chosen_month()
    if problem:
        return Response(messages.gettext(page_language(), problem) + "\n", 400,
                        mimetype="text/plain")
    figures = figures_cache().get(month)
    lang = page_language()
    out = io.StringIO()
    # The byte-order mark lets spreadsheet programs read the Vietnamese names as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for office in (*figures.offices, figures.overall):
        percent = office.on_time_percent
        writer.writerow([
            str(month), office.office_id or "ALL",
            office.name(lang) or messages.gettext(lang, N_("All offices")),
            office.received, office.resolved, office.resolved_on_time,
            "" if percent is None else f"{percent:.1f}", office.in_progress, office.overdue_in_progress,
        ])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="thong-ke-{month}.csv"'
    return response
