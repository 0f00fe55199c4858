"""Status words and next steps, per language, from the Babel catalogues under `locales/`.

The locale is always passed in: workers and the IVR have no request to take it from.
Each part of the system has its own catalogue domain (core, web, sms, ivr, alerts, zalo) so that
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
DOMAINS = ("core", "web", "sms", "ivr", "alerts", "zalo")


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

# What to do next, in one sentence that adds to what the page, the reply or the call already
# says: the status is named just before it, and the office's note (a reason, a list of
# documents, an amount, what to bring) is shown beside it when the office wrote one. So a
# sentence never repeats the status, and where a note is shown it says what to do with it
# rather than asking the citizen to find out what the note already says. No "below" or
# "above": the hotline speaks these and SMS sends them.
NEXT_STEPS = {
    "registered": N_("Nothing to do yet: the office will check your dossier and accept it, "
                     "or tell you what is missing."),
    "received": N_("Nothing to do until the due date."),
    "not_accepted": N_("Ask the one-stop desk why, and what to change to file it again."),
    "processing": N_("Nothing to do until the due date."),
    "supplement_requested": N_("Ask the one-stop desk which documents are missing, then bring them there."),
    "fee_due": N_("Ask the one-stop desk how much to pay and where, and keep the payment receipt."),
    "withdrawn": N_("Nothing more to do; to apply again, file a new dossier."),
    "stopped": N_("Ask the one-stop desk why, and what you can do next."),
    "ready": N_("Collect it at the one-stop desk; bring your receipt and ID card."),
    "returned": N_("Nothing more to do for this dossier."),
    statuses.OVERDUE: N_("The office is late and must give you a new date in a letter of "
                         "apology; if none has reached you, ask the one-stop desk."),
}
# Where the office's note is shown (statuses whose note is public, lookup.statuses).
NEXT_STEPS_WITH_NOTE = {
    "not_accepted": N_("To file again, bring a dossier that answers the office's reason to the "
                       "one-stop desk."),
    "supplement_requested": N_("Bring the documents the office asks for to the one-stop desk, "
                               "with your receipt."),
    "fee_due": N_("Pay as the office says and keep the payment receipt."),
    "stopped": N_("Ask the one-stop desk what you can do next."),
    "ready": N_("Collect it at the one-stop desk during its opening hours."),
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


def next_step(status: str, lang: str, overdue: bool = False, note: bool = False) -> str:
    """The one sentence that says what to do next. `note`: the office's note is shown with it.

    Overdue says the office owes a new date, unless the office is waiting on the citizen
    (documents, fees): then what the citizen must do comes first."""
    if status == statuses.OVERDUE or (overdue and not statuses.get(status).citizen_acts):
        return gettext(lang, NEXT_STEPS[statuses.OVERDUE])
    if note and status in NEXT_STEPS_WITH_NOTE:
        return gettext(lang, NEXT_STEPS_WITH_NOTE[status])
    return gettext(lang, NEXT_STEPS[status])


def working_days(lang: str, left: int | None, late: int | None, due_today: bool = False) -> str:
    """"3 working days left", "due today", "1 working day late"; "" when there is nothing to count."""
    if late:
        return gettext(lang, WORKING_DAYS["late_one" if late == 1 else "late"], count=late)
    if left:
        return gettext(lang, WORKING_DAYS["left_one" if left == 1 else "left"], count=left)
    if left == 0 and due_today:
        return gettext(lang, WORKING_DAYS["today"])
    return ""
