"""Status words and next steps, per language, from the Babel catalogues under `locales/`.

The locale is always passed in: workers and the IVR have no request to take it from.
Each part of the system has its own catalogue domain (core, web, sms, ivr, alerts) so that
they can be extracted separately; they are merged into one set of translations per language.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from lookup import statuses

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
DOMAINS = ("core", "web", "sms", "ivr", "alerts")


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, with a known locale."""
    return message


STATUS_LABELS = {
    "registered": N_("Registered online"),
    "received": N_("Received"),
    "not_accepted": N_("Not accepted"),
    "processing": N_("Being processed"),
    "supplement_requested": N_("More documents needed"),
    "fee_due": N_("Fees or taxes due"),
    "withdrawn": N_("Withdrawn by applicant"),
    "stopped": N_("Processing stopped"),
    "ready": N_("Ready for pickup"),
    "returned": N_("Result handed over"),
    statuses.OVERDUE: N_("Overdue"),
}

NEXT_STEPS = {
    "registered": N_("Wait for the office to accept your dossier."),
    "received": N_("Your dossier was received. Nothing to do until the due date."),
    "not_accepted": N_("Your dossier was not accepted. See the reason from the office."),
    "processing": N_("Your dossier is being processed. Nothing to do until the due date."),
    "supplement_requested": N_("Bring the missing documents to the one-stop desk."),
    "fee_due": N_("Pay the fees or taxes due, then keep the receipt."),
    "withdrawn": N_("You withdrew this dossier. Nothing more to do."),
    "stopped": N_("Processing was stopped. Contact the office for the reason."),
    "ready": N_("Your result is ready. Bring your receipt and ID card to collect it."),
    "returned": N_("Your result has been handed over. Nothing more to do."),
    statuses.OVERDUE: N_(
        "The office is late. It must apologise and give you a new date; call the hotline if it has not."
    ),
}


# How a due date stands in working days (lookup.calendar.due_count); one wording for 1, one for more.
WORKING_DAYS = {
    "left_one": N_("1 working day left"),
    "left": N_("%(count)s working days left"),
    "today": N_("due today"),
    "late_one": N_("1 working day late"),
    "late": N_("%(count)s working days late"),
}


def language(value: str | None) -> str:
    """One of LANGUAGES, from whatever a request or a record said."""
    if value:
        head = value.strip().lower()[:2]
        if head in LANGUAGES:
            return head
    return DEFAULT_LANGUAGE


@cache
def translations(lang: str) -> NullTranslations:
    merged: NullTranslations | None = None
    for domain in DOMAINS:
        loaded = Translations.load(str(LOCALES_DIR), [lang], domain)
        if not isinstance(loaded, Translations):
            continue
        if merged is None:
            merged = loaded
        else:
            merged.merge(loaded)
    return merged or NullTranslations()


def gettext(lang: str, message: str, **values: object) -> str:
    text = translations(language(lang)).gettext(message)
    return text % values if values else text


def status_label(status: str, lang: str) -> str:
    return gettext(lang, STATUS_LABELS[status])


def next_step(status: str, lang: str, overdue: bool = False) -> str:
    return gettext(lang, NEXT_STEPS[statuses.OVERDUE if overdue else status])


def working_days(lang: str, left: int | None, late: int | None, due_today: bool = False) -> str:
    """"3 working days left", "due today", "1 working day late"; "" when there is nothing to count."""
    if late:
        return gettext(lang, WORKING_DAYS["late_one" if late == 1 else "late"], count=late)
    if left:
        return gettext(lang, WORKING_DAYS["left_one" if left == 1 else "left"], count=left)
    if left == 0 and due_today:
        return gettext(lang, WORKING_DAYS["today"])
    return ""
