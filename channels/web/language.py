"""Which language a web request wants: `?lang=`, then the cookie, then Accept-Language."""

from __future__ import annotations

from functools import lru_cache

from flask import request
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from lookup.messages import DEFAULT_LANGUAGE, LANGUAGES

COOKIE = "lang"


def request_language() -> str:
    asked = asked_language()
    if asked in LANGUAGES:
        return asked
    # Most requests carry no cookie at all: parsing an absent header still costs.
    remembered = request.cookies.get(COOKIE, "") if "HTTP_COOKIE" in request.environ else ""
    if remembered in LANGUAGES:
        return remembered
    return best_language(request.headers.get("Accept-Language", ""))


def asked_language() -> str:
    """What `?lang=` asks for, trimmed and lower case ("" when nothing). A query that cannot
    hold it (no `lang`, nothing percent-encoded) is not parsed at all: most have none."""
    query = request.query_string
    if not query or (b"lang" not in query and b"%" not in query):
        return ""
    return (request.args.get("lang") or "").strip().lower()


@lru_cache(maxsize=1024)
def best_language(accept_language: str) -> str:
    """The reader's most preferred language that we have, by its primary tag: `vi-VN` asks
    for vi and `en-US;q=0.8` for en, in the order of the reader's preference (werkzeug's
    best_match would rank an exact `en;q=0.1` above `vi-VN`).

    Browsers send few distinct headers and parsing one costs more than the rest of choosing
    the language, so each is parsed once per process."""
    for tag, quality in parse_accept_header(accept_language, LanguageAccept):
        primary = tag.replace("_", "-").split("-")[0].lower()
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE
