"""What every citizen page shares: the language, translated templates, dates in the office's
zone, security headers, and friendly error pages in the reader's language."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from babel.dates import format_date, format_time
from flask import Flask, g, render_template, request
from flask_babel import Babel
from werkzeug.exceptions import HTTPException

from channels.web import api
from channels.web.language import request_language
from lookup import messages
from lookup.clock import local
from lookup.messages import N_

log = logging.getLogger(__name__)

# No script may run, nothing may frame us, forms post only to us, and nothing leaves by Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=page_language, default_locale=messages.DEFAULT_LANGUAGE,
          default_domain="web", default_translation_directories=str(messages.LOCALES_DIR),
          default_timezone=app.config["TIMEZONE"], configure_jinja=False)
    # Our catalogues are merged per language in lookup.messages; templates use the same ones.
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: messages.gettext(page_language(), text),
        ngettext=lambda one, many, n: messages.gettext(page_language(), one if n == 1 else many),
        newstyle=True,
    )
    app.jinja_env.filters["day"] = lambda moment, form="full": day(moment, form)
    app.jinja_env.filters["moment"] = moment_text
    app.jinja_env.filters["number"] = number_text
    app.after_request(security_headers)
    for code in (404, 405):
        app.register_error_handler(code, http_error_page)


def page_language() -> str:
    """The request's language, worked out once per request."""
    if "page_language" not in g:
        g.page_language = request_language()
    return g.page_language


def day(moment: datetime | None, form: str = "full") -> str:
    if moment is None:
        return ""
    return format_date(local(moment), format=form, locale=page_language())


def moment_text(moment: datetime | None) -> str:
    if moment is None:
        return ""
    lang = page_language()
    shown = local(moment)
    return f"{format_date(shown, 'long', locale=lang)}, {format_time(shown, 'HH:mm', locale=lang)}"


def number_text(value: float | int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.#", locale=page_language())


def security_headers(response: Any) -> Any:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def http_error_page(exc: HTTPException) -> Any:
    """Unknown pages get a page in the reader's language; the JSON API keeps its own answers."""
    if request.path.startswith("/api/"):
        return api.routing_error(exc)
    return render_template("error.html", title=N_("Page not found") if exc.code == 404 else
                           N_("This page cannot be used that way"), status=exc.code), exc.code or 404
