"""The citizen pages: the lookup form, the result, the receipt's QR link, and friendly pages
for a code not found and for too many lookups. No JavaScript anywhere.

The form posts the code and PIN, so they never sit in a URL (history, proxies, access logs);
a result is answered with a 303 to `/tra-cuu/<ticket>` (channels.web.result_link), which Back
and reload show again without posting.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, redirect, request
from werkzeug.exceptions import HTTPException

from channels.web.language import COOKIE
from channels.web.problems import code_problem
from channels.web.ratelimit import lookup_limit, seconds_to_wait
from channels.web.result_link import LIFETIME_SECONDS, Ticket, Tickets
from channels.web.site import page_language, render
from lookup import codes, messages, qr
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

def service() -> Service:
    return current_app.extensions["tracuu.service"]


def tickets() -> Tickets:
    found = current_app.extensions.get("tracuu.web.tickets")
    if found is None:
        found = current_app.extensions["tracuu.web.tickets"] = Tickets(current_app.config["SECRET_KEY"])
    return found


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
        return form_again(typed, invalid.reason)
    except PinLocked as locked:
        # What the code alone shows, and why the PIN did not open the rest.
        return see_result(Ticket(locked.view.code, pin_locked_until=locked.until))
    if view is None:
        missing = service().incomplete(typed)
        if missing is not None:
            return form_again(typed, missing.reason, missing.example)
        return not_found(typed)
    return see_result(Ticket(view.code, proven=view.proven, receipt_version=view.receipt_version))


def form_again(typed: str, reason: str, example: str = "") -> Any:
    """The form with what was typed and what is wrong with it (400)."""
    problem = code_problem(page_language(), reason, example)
    return render("lookup.html", code=typed, problem=problem), 400


def see_result(ticket: Ticket) -> Any:
    """303 to the result's own page: Back and reload show it without posting again."""
    token = tickets().make(ticket, service().clock())
    lang = request.args.get("lang")
    return redirect(f"/tra-cuu/{token}" + (f"?lang={lang}" if lang in LANGUAGES else ""), 303)


@blueprint.get("/tra-cuu/<path:token>")
def result_page(token: str) -> Any:
    """The answer to a posted lookup, for LIFETIME_SECONDS. Not counted against the lookup
    limit: it answers a lookup already counted and cannot try a new code or PIN."""
    now = service().clock()
    ticket = tickets().read(token, now)
    view = None
    if ticket is not None:
        # A right PIN proved holding the receipt of that version: a reissue since voids it.
        proof = Proof(receipt=True, receipt_version=ticket.receipt_version) if ticket.proven else None
        try:
            view = service().resolve(ticket.code, proof, channel="web")
        except codes.InvalidCode:
            view = None
    if view is None:
        response = current_app.make_response((render(
            "expired.html", minutes=LIFETIME_SECONDS // 60, code="", problem=None), 410))
        response.headers["Cache-Control"] = "no-store"
        return response
    locked = ticket.pin_locked_until if ticket.pin_locked_until and ticket.pin_locked_until > now else None
    return result(view, form=None if view.proven or locked else {"code": view.code},
                  pin_locked_until=locked)


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
    wait = seconds_to_wait()
    response = current_app.make_response((render("rate_limited.html", wait=wait_words(wait)), 429))
    response.headers["Retry-After"] = str(wait)
    return response


WAIT = {
    "second": N_("Please wait a second, then try again."),
    "seconds": N_("Please wait %(count)s seconds, then try again."),
    "minutes": N_("Please wait %(count)s minutes, then try again."),
}


def wait_words(seconds: int) -> str:
    """How long Retry-After asks to wait, as a reader says it: seconds under a minute and a
    half, else whole minutes, rounded up."""
    if seconds < 90:
        return messages.gettext(page_language(), WAIT["second"] if seconds <= 1 else WAIT["seconds"],
                                **({} if seconds <= 1 else {"count": seconds}))
    minutes = -(-seconds // 60)
    return messages.gettext(page_language(), WAIT["minutes"], count=minutes)


@blueprint.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Any:
    if exc.code == 413:
        return render("error.html", title=N_("What you sent is too long")), 413
    return render("error.html", title=N_("This page cannot be used that way")), exc.code or 400


@blueprint.errorhandler(Exception)
def unexpected(exc: Exception) -> Any:
    log.exception("unexpected error on %s %s", request.method, request.url_rule)
    return render("error.html", title=N_("Something went wrong on our side")), 500
