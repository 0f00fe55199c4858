"""What every citizen page shares: the language, translated templates, dates in the office's
zone, security headers, and friendly error pages in the reader's language.

Each language has its own Jinja environment, and `_("a literal")` in a template is translated
once, when the template is compiled (see `CompiledTranslations`): a page costs no catalogue
look-ups for its fixed words, and `_("…%(x)s", x=…)` only fills in its values. `_(a_variable)`
still goes through `lookup.messages.gettext` with the environment's language.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask, current_app, g, request
from flask.sessions import SessionInterface
from flask_babel import Babel
from jinja2.ext import Extension
from jinja2.lexer import Token
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from channels.web import api
from channels.web.language import request_language
from lookup import messages
from lookup.clock import OFFICE_ZONE, local
from lookup.messages import LANGUAGES, N_

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Each language is named in itself, so a reader who cannot read the page still finds theirs.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}

# No script may run, nothing may frame us, forms post only to us, and nothing leaves by Referer.
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def init_app(app: Flask) -> None:
    # Flask-Babel knows the request's locale (flask_babel.get_locale()) for anyone who asks;
    # the pages themselves use the per-language environments below.
    Babel(app, locale_selector=page_language, default_locale=messages.DEFAULT_LANGUAGE,
          default_domain="web", default_translation_directories=str(messages.LOCALES_DIR),
          default_timezone=OFFICE_ZONE.key, configure_jinja=False)
    app.extensions["tracuu.web.templates"] = {lang: environment(app, lang) for lang in LANGUAGES}
    app.session_interface = NoSessions()
    app.after_request(security_headers)
    for code in (404, 405):
        app.register_error_handler(code, http_error_page)


class NoSessions(SessionInterface):
    """Nothing here keeps a session (the language is its own cookie, a result its own ticket):
    Flask's default would build a signing serializer and read a cookie on every request."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        return None


class CompiledTranslations(Extension):
    """Replace `_("literal")` by its translation in the environment's language at compile time."""

    def filter_stream(self, stream: Any) -> Any:
        lang = self.environment.globals["lang"]
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if (token.type == "name" and token.value == "_" and i + 3 < len(tokens)
                    and tokens[i + 1].type == "lparen" and tokens[i + 2].type == "string"):
                literal = tokens[i + 2]
                translated = Token(literal.lineno, "string", messages.gettext(lang, literal.value))
                if tokens[i + 3].type == "rparen":
                    yield translated
                    i += 4
                    continue
                # With values: only the filling in is left for render time, as a filter
                # (`("…"|fill_in(x=…))`): Jinja calls a filter directly, a function through
                # the context's call machinery.
                if tokens[i + 3].type == "comma":
                    end = _closing(tokens, i + 1)
                    yield tokens[i + 1]
                    yield translated
                    yield Token(literal.lineno, "pipe", "|")
                    yield Token(literal.lineno, "name", "fill_in")
                    yield tokens[i + 1]
                    yield from tokens[i + 4:end]
                    yield tokens[end]
                    yield tokens[end]
                    i = end + 1
                    continue
            yield token
            i += 1


def _closing(tokens: list[Token], opening: int) -> int:
    """The index of the parenthesis that closes the one at `opening`."""
    depth = 0
    for i in range(opening, len(tokens)):
        if tokens[i].type == "lparen":
            depth += 1
        elif tokens[i].type == "rparen":
            depth -= 1
            if depth == 0:
                return i
    raise jinja2.TemplateSyntaxError("unclosed _( … )", tokens[opening].lineno)


class PageEnvironment(jinja2.Environment):
    def make_globals(self, d: Any) -> Any:
        """Each template's globals as a plain dict, not Jinja's ChainMap over ours: every render
        copies them into its context, and copying a ChainMap (in Python) cost a fifth of a small
        page. Ours are all set before the first template loads, as Jinja asks."""
        return {**self.globals, **(d or {})}


def environment(app: Flask, lang: str) -> jinja2.Environment:
    env = PageEnvironment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             auto_reload=False, extensions=["jinja2.ext.i18n"])
    other = "en" if lang == "vi" else "vi"
    env.globals.update(
        lang=lang, other_lang=other, other_lang_name=LANGUAGE_NAMES[other],
        sms_number=app.config["SMS_SHORT_NUMBER"], hotline=app.config["HOTLINE_NUMBER"],
        pin_length=app.extensions["tracuu.service"].pin_length,
        dial=dial,
        # What the office wrote (address, hours, notes) is in Vietnamese whatever the page's
        # language: marked so, screen readers read it with Vietnamese rules.
        office_words=Markup("") if lang == "vi" else Markup(' lang="vi"'),
        # The page's width class; a wide page (statistics) sets its own.
        page_class="",
    )
    env.add_extension(CompiledTranslations)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: messages.gettext(lang, text),
        ngettext=lambda one, many, n: messages.gettext(lang, one if n == 1 else many),
        newstyle=True,
    )
    env.filters.update(
        day=lambda moment: day(moment, lang),
        moment=lambda moment: moment_text(moment, lang),
        number=lambda value: number_text(value, lang),
        fill_in=fill_in,
        status_label=lambda status: messages.status_label(status, lang),
    )
    env.globals["other_ways"] = rendered_per_values(env, "_other_ways.html")  # one set: none
    env.globals["office_section"] = rendered_per_values(env, "_office.html")
    return env


def fill_in(translated: str, **values: Any) -> Markup:
    """What Jinja's newstyle gettext does after the look-up: the values escaped into the text.
    (Escaped here, then formatted as a plain str: Markup's own % wraps every value in a helper.)"""
    return Markup(translated % {name: escape(value) for name, value in values.items()})


def rendered_per_values(env: jinja2.Environment, name: str, size: int = 4096) -> Any:
    """A fragment rendered once for each set of values it is given (the other ways to ask, the
    same on every page of a language; an office's details, the same on every result page of its
    dossiers), the most recently used `size` kept. The
    values are the key, so a changed address is a new fragment, never a stale one."""

    @lru_cache(maxsize=size)
    def fragment(**values: Any) -> Markup:
        return Markup(env.get_template(name).render(**values))

    return fragment


def render(name: str, **context: Any) -> str:
    """A page in the request's language."""
    lang = page_language()
    template = current_app.extensions["tracuu.web.templates"][lang].get_template(name)
    return template.render(switch_url=switch_url(lang), **context)


def switch_url(lang: str) -> str:
    """This page in the other language, with the rest of its query kept."""
    other = "en" if lang == "vi" else "vi"
    if not request.query_string:
        return f"{quote(request.path)}?lang={other}"
    args = {k: v for k, v in request.args.items() if k != "lang"}
    return quote(request.path) + "?" + urlencode({**args, "lang": other})


def page_language() -> str:
    """The request's language, worked out once per request."""
    lang = g.get("page_language")
    if lang is None:
        lang = g.page_language = request_language()
    return lang


def dial(number: str) -> str:
    return "".join(c for c in number if c.isdigit() or c == "+")


# One way to write a day on every page, as SMS writes dates, with the weekday in front:
# `Thứ Hai, 30/11/2026`, `Monday, 30/11/2026`.
DAY_FORMAT = "EEEE, dd/MM/yyyy"


def day(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return ""
    return _day(local(moment).date(), lang)


@lru_cache(maxsize=4096)
def _day(date: Any, lang: str) -> str:
    # Pages show a handful of distinct days: formatting each once saves most of the cost.
    return format_date(date, format=DAY_FORMAT, locale=lang)


def moment_text(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return ""
    shown = local(moment)
    # 24-hour HH:mm is how both languages write a time here; no locale data needed.
    return f"{_day(shown.date(), lang)}, {shown:%H:%M}"


def number_text(value: float | int, lang: str) -> str:
    return format_decimal(value, format="#,##0.#", locale=lang)


def security_headers(response: Any) -> Any:
    """Ours, except where a response brought its own."""
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(name, value) for name, value in SECURITY_HEADERS.items()
                             if name.lower() not in present])
    return response


def http_error_page(exc: HTTPException) -> Any:
    """Unknown pages get a page in the reader's language; the JSON API keeps its own answers."""
    if request.path.startswith("/api/"):
        return api.routing_error(exc)
    title = N_("Page not found") if exc.code == 404 else N_("This page cannot be used that way")
    return render("error.html", title=title), exc.code or 404
