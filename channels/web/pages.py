"""The citizen pages: the lookup form, the result, the receipt's QR link, and friendly pages
for a code not found and for too many lookups. No JavaScript anywhere.

The form posts the code and PIN, so they never sit in a URL (history, proxies, access logs).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, redirect, request
from werkzeug.exceptions import HTTPException

from channels.web.language import COOKIE
from channels.web.ratelimit import lookup_limit, seconds_to_wait
from channels.web.site import page_language, render
from lookup import codes, qr
from lookup.messages import LANGUAGES, N_
from lookup.pins import PinLocked
from lookup.service import Service
from lookup.views import DossierView, Proof

log = logging.getLogger(__name__)
blueprint = Blueprint("pages", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/static/web")

MAX_CODE_INPUT = 200
MAX_PIN_INPUT = 32
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600

CODE_PROBLEMS = {
    codes.EMPTY: N_("Please enter the dossier code printed on your receipt."),
    codes.TOO_LONG: N_("This is too long to be a dossier code."),
    codes.TOO_SHORT: N_("This is too short to be a dossier code."),
    codes.BAD_CHARACTERS: N_("A dossier code has only letters, digits, dots and dashes."),
    codes.NO_DIGITS: N_("A dossier code contains digits."),
    codes.PROCEDURE_CODE: N_(
        "This is a procedure code, not a dossier code. The dossier code is on your receipt."),
    codes.PHONE_NUMBER: N_(
        "This looks like a phone number. Please enter the dossier code from your receipt."),
}


def service() -> Service:
    return current_app.extensions["tracuu.service"]


@blueprint.after_request
def remember_language(response: Any) -> Any:
    asked = request.args.get("lang")
    if asked:
        asked = asked.strip().lower()
        if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
            response.set_cookie(COOKIE, asked, max_age=LANGUAGE_COOKIE_SECONDS, httponly=True,
                                samesite="Lax", secure=request.is_secure)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@blueprint.get("/")
def index() -> Any:
    return render("lookup.html", code="", problem=None)


@blueprint.get("/tra-cuu")
def lookup_by_get() -> Any:
    # The form posts; a bookmarked or typed /tra-cuu lands on the form.
    lang = request.args.get("lang")
    return redirect("/" + (f"?lang={lang}" if lang in LANGUAGES else ""), 303)


@blueprint.post("/tra-cuu")
@lookup_limit
def lookup() -> Any:
    typed = printable(request.form.get("code", ""))[:MAX_CODE_INPUT]
    pin = printable(request.form.get("pin", "")).strip()[:MAX_PIN_INPUT]
    try:
        view = service().resolve(typed, Proof(pin=pin or None), channel="web")
    except codes.InvalidCode as invalid:
        problem = CODE_PROBLEMS.get(invalid.reason, CODE_PROBLEMS[codes.BAD_CHARACTERS])
        return render("lookup.html", code=typed, problem=problem), 400
    except PinLocked as locked:
        # What the code alone shows, and why the PIN did not open the rest.
        return result(locked.view, form={"code": typed, "pin": ""}, pin_locked_until=locked.until)
    if view is None:
        return not_found(typed)
    return result(view, form={"code": typed, "pin": pin})


@blueprint.get("/d/<path:token>")
@lookup_limit
def receipt_link(token: str) -> Any:
    """The receipt's QR code: the signed token is the proof, so the full view opens at once."""
    signed = qr.read_token(token, current_app.config["SECRET_KEY"])
    view = None
    if signed is not None:
        code, version = signed
        try:
            view = service().resolve(code, Proof(receipt=True, receipt_version=version), channel="web")
        except codes.InvalidCode:
            view = None
    if view is None:
        return not_found("")
    return result(view, form=None)


def printable(text: str) -> str:
    """What was typed, minus control characters: it is shown back in the form."""
    return text if text.isprintable() else "".join(c for c in text if c.isprintable())


def result(view: DossierView, form: dict[str, str] | None, pin_locked_until=None) -> Any:
    lang = page_language()
    response = current_app.make_response((render(
        "result.html", view=view, form=form, pin_locked_until=pin_locked_until,
        status_text=view.status_label(lang),
        next_step=view.next_step(lang),
        working_days=view.working_days_text(lang),
        procedure=view.procedure_name(lang),
        office_name=view.office.name(lang),
        filed_with=view.filed_with(lang),
    ), 200))
    # The page may hold a name and a PIN: no cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


def not_found(typed: str) -> Any:
    """One page for an unknown code, a wrong PIN and a forged QR link: a guess learns nothing."""
    response = current_app.make_response((render("not_found.html", code=typed), 404))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(429)
def too_many(exc: HTTPException) -> Any:
    response = current_app.make_response((render("rate_limited.html"), 429))
    response.headers["Retry-After"] = str(seconds_to_wait())
    return response


@blueprint.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Any:
    if exc.code == 413:
        return render("error.html", title=N_("What you sent is too long")), 413
    return render("error.html", title=N_("This page cannot be used that way")), exc.code or 400


@blueprint.errorhandler(Exception)
def unexpected(exc: Exception) -> Any:
    log.exception("unexpected error on %s %s", request.method, request.url_rule)
    return render("error.html", title=N_("Something went wrong on our side")), 500
