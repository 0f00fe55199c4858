"""Which language a web request wants: `?lang=`, then the cookie, then Accept-Language."""

from __future__ import annotations

from flask import request

from lookup.messages import DEFAULT_LANGUAGE, LANGUAGES

COOKIE = "lang"


def request_language() -> str:
    asked = (request.args.get("lang") or "").strip().lower()
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE
