"""The citizen pages: the lookup form, the result, the receipt's QR link, and friendly pages
for a code not found and for too many lookups. No JavaScript anywhere.

The form posts the code and PIN, so they never sit in a URL (history, proxies, access logs);
a result is answered with a 303 to `/tra-cuu/<ticket>` (channels.web.result_link), which Back
and reload show again without posting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, redirect, request
from werkzeug.exceptions import HTTPException

import metrics
from channels.web.health import RETRY_AFTER_SECONDS, database_unavailable
from channels.web.language import COOKIE, asked_language
from channels.web.problems import code_problem
from channels.web.ratelimit import count_lookup, lookup_limit, seconds_to_wait
from channels.web.result_link import LIFETIME_SECONDS, MAX_TICKET_LENGTH, Ticket, Tickets
from channels.web.site import moment_text, page_language, render
from lookup import codes, messages, qr, recipients
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
# Each page is in the language the cookie or Accept-Language picked.
VARY = ("Accept-Language", "Cookie")

def service() -> Service:
    return current_app.extensions["tracuu.service"]


def tickets() -> Tickets:
    found = current_app.extensions.get("tracuu.web.tickets")
    if found is None:
        found = current_app.extensions["tracuu.web.tickets"] = Tickets(current_app.config["SECRET_KEY"])
    return found


@blueprint.after_request
def remember_language(response: Any) -> Any:
    asked = asked_language()
    if asked in LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=LANGUAGE_COOKIE_SECONDS, httponly=True,
                            samesite="Lax", secure=request.is_secure)
    if "Vary" in response.headers:
        response.vary.update(VARY)
    else:  # the common case, without parsing and writing back a header set
        response.headers["Vary"] = ", ".join(VARY)
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
        metrics.lookup("web", "invalid")
        return form_again(typed, invalid.reason)
    except PinLocked as locked:
        metrics.lookup("web", "pin_locked")
        # What the code alone shows, and why the PIN did not open the rest.
        return see_result(Ticket(locked.view.code, pin_locked_until=locked.until))
    if view is None:
        missing = service().incomplete(typed)
        if missing is not None:
            metrics.lookup("web", "invalid")
            return form_again(typed, missing.reason, missing.example)
        metrics.lookup("web", "not_found")
        return not_found(typed)
    metrics.lookup("web", "found")
    return see_result(Ticket(view.code, proven=view.proven, receipt_version=view.receipt_version))


def form_again(typed: str, reason: str, example: str = "") -> Any:
    """The form with what was typed and what is wrong with it (400)."""
    problem = code_problem(page_language(), reason, example)
    return unstored(render("lookup.html", code=typed, problem=problem), 400)


def see_result(ticket: Ticket) -> Any:
    """303 to the result's own page: Back and reload show it without posting again."""
    token = tickets().make(ticket, service().clock())
    lang = request.args.get("lang")
    return redirect(f"/tra-cuu/{token}" + (f"?lang={lang}" if lang in LANGUAGES else ""), 303)


@dataclass(frozen=True)
class Opened:
    """A result page's dossier, what opened it, and the page's own path."""

    view: DossierView | None
    path: str
    # What the page proves to a later form on it (one more phone for the alerts): the receipt.
    proof: Proof | None = None
    pin_locked_until: datetime | None = None


def open_page(path: str) -> Opened:
    """The result behind `/tra-cuu/<ticket>` or `/d/<qr token>` (view None: expired, forged,
    voided or unknown)."""
    now = service().clock()
    proof, code, locked = None, None, None
    if path.startswith("/tra-cuu/"):
        ticket = tickets().read(path.removeprefix("/tra-cuu/"), now)
        if ticket is not None:
            code = ticket.code
            # A right PIN proved holding the receipt of that version: a reissue since voids it.
            proof = Proof(receipt=True, receipt_version=ticket.receipt_version) if ticket.proven else None
            if ticket.pin_locked_until and ticket.pin_locked_until > now:
                locked = ticket.pin_locked_until
    elif path.startswith("/d/"):
        signed = qr.read_token(path.removeprefix("/d/"), current_app.config["SECRET_KEY"])
        if signed is not None:
            code, version = signed
            proof = Proof(receipt=True, receipt_version=version)
    view = None
    if code is not None:
        try:
            view = service().resolve(code, proof, channel="web")
        except codes.InvalidCode:
            view = None
    return Opened(view, path, proof, locked)


@blueprint.get("/tra-cuu/<path:token>")
def result_page(token: str) -> Any:
    """The answer to a posted lookup, for LIFETIME_SECONDS. Not counted against the lookup
    limit: it answers a lookup already counted and cannot try a new code or PIN."""
    opened = open_page(f"/tra-cuu/{token}")
    if opened.view is None:
        return expired()
    return result(opened)


def expired() -> Any:
    return unstored(render("expired.html", minutes=LIFETIME_SECONDS // 60, code="", problem=None), 410)


@blueprint.get("/d/<path:token>")
def receipt_link(token: str) -> Any:
    """The receipt's QR code: the signed token is the proof, so the full view opens at once.

    A link that opens its dossier is not counted against the lookup limit, as the result page's
    ticket is not: its signature cannot be guessed, so it tries nothing, and a commune office's
    Wi-Fi or a carrier's shared address, where many citizens scan their receipts, must not run
    out of lookups. A link that opens nothing (forged, edited, voided by a reissue) counts as a
    lookup that found nothing, and past the budget is answered 429."""
    opened = open_page(f"/d/{token}")
    if opened.view is None:
        count_lookup()
        metrics.lookup("web", "not_found")
        return not_found("")
    metrics.lookup("web", "found")
    return result(opened)


# One more phone for the alerts (lookup.recipients), from a page that proves the dossier.

PHONE_PROBLEMS = {
    recipients.INVALID_PHONE: N_("Enter a Vietnamese mobile number, for example 0912 345 678."),
    recipients.SAME_PHONE: N_("This is the phone the office has for this dossier: it gets the alerts "
                              "already."),
    recipients.ALREADY: N_("This dossier already sends its alerts to one more phone. Stop that one "
                           "first."),
    recipients.WAITING: N_("A code sent for this dossier still waits for its answer, until %(time)s. "
                           "Try again after that."),
    recipients.TOO_MANY: N_("Codes were sent for this dossier three times in a day already. "
                            "Try again after %(time)s."),
    recipients.OPTED_OUT: N_("This number asked us not to text it (STOP). To allow it, text START to "
                             "%(number)s from that phone."),
}
MAX_PHONE_INPUT = 40


def proving_page() -> Opened | None:
    """The page the form was on, if it still proves the dossier (a PIN result or the QR link)."""
    path = printable(request.form.get("page", ""))[:MAX_TICKET_LENGTH + 20]
    if not path.startswith(("/tra-cuu/", "/d/")):
        return None
    opened = open_page(path)
    return opened if opened.view is not None and opened.view.proven else None


@blueprint.post("/so-nhan-tin")
@lookup_limit
def add_phone() -> Any:
    """Send a code to one more phone for this dossier's alerts, then back to the page (303)."""
    opened = proving_page()
    if opened is None:
        return expired()
    typed = printable(request.form.get("phone", "")).strip()[:MAX_PHONE_INPUT]
    lang = page_language()
    try:
        service().add_recipient(opened.view.code, opened.proof, typed, lang)
    except recipients.Refused as refused:
        until = moment_text(refused.until, lang) if refused.until else ""
        problem = messages.gettext(lang, PHONE_PROBLEMS[refused.reason], time=until,
                                   number=current_app.config["SMS_SHORT_NUMBER"])
        status = 429 if refused.reason in (recipients.WAITING, recipients.TOO_MANY) else 400
        return result(opened, phone_problem=problem, phone_typed=typed, status=status)
    except LookupError:
        return expired()
    return redirect(opened.path + "#alerts", 303)


@blueprint.post("/so-nhan-tin/bo")
@lookup_limit
def remove_phone() -> Any:
    """Stop the alerts to the extra phone (the registered phone keeps its own)."""
    opened = proving_page()
    if opened is None:
        return expired()
    try:
        service().remove_recipient(opened.view.code, opened.proof)
    except LookupError:
        return expired()
    return redirect(opened.path + "#alerts", 303)


def printable(text: str) -> str:
    """What was typed, minus control characters: it is shown back in the form."""
    return text if text.isprintable() else "".join(c for c in text if c.isprintable())


def result(opened: Opened, *, phone_problem: str = "", phone_typed: str = "", status: int = 200) -> Any:
    view, lang = opened.view, page_language()
    locked = opened.pin_locked_until
    return unstored(render(
        "result.html", view=view, pin_locked_until=locked,
        # Code only: the form for the PIN (none while PINs are locked). With proof: the form
        # for one more phone, which posts the page's own path as its proof.
        form=None if view.proven or locked else {"code": view.code},
        page_path=opened.path if view.proven else None,
        phone_problem=phone_problem, phone_typed=phone_typed,
        status_text=view.status_label(lang),
        next_step=view.next_step(lang),
        working_days=view.working_days_text(lang),
        procedure=view.procedure_name(lang),
        filed_with=view.filed_with(lang),
    ), status)


def not_found(typed: str) -> Any:
    """One page for an unknown code, a wrong PIN and a forged QR link: a guess learns nothing."""
    return unstored(render("not_found.html", code=typed), 404)


def unstored(page: str, status: int) -> Any:
    """An answer to a lookup, which no cache on the way may keep: it may hold a name, and a 404
    or 400 kept would answer a later lookup of a code entered since."""
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.errorhandler(429)
def too_many(exc: HTTPException) -> Any:
    metrics.lookup("web", "limited")
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
    if database_unavailable(exc):
        response = current_app.make_response(
            (render("error.html", title=N_("Something went wrong on our side")), 503))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    log.exception("unexpected error on %s %s", request.method, request.url_rule)
    return render("error.html", title=N_("Something went wrong on our side")), 500
