"""Alert texts: in the applicant's language, without diacritics by default, one segment where
possible, and no personal data beyond the dossier code (never the applicant's name).

Each kind has variants from the fullest to the plainest; the first that fits one SMS segment
wins. A variant is only used when every value it names is known, and one that carries the
office's note is always preferred to one that does not. When nothing fits one segment (a long
note), the fullest that fits MAX_SEGMENTS is sent, and only if none does is the note shortened.
The wording without diacritics and the sizing are channels/sms/text.py's, as for SMS replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from channels.sms.text import MAX_SEGMENTS, Part, finish, fit
from lookup import messages
from lookup.clock import local
from lookup.messages import N_
from worker import policy

__all__ = ["MAX_SEGMENTS", "VARIANTS", "Facts", "render"]

VARIANTS: dict[str, tuple[str, ...]] = {
    policy.PICKUP: (
        N_("Dossier %(code)s: your result is ready. Collect it at %(office)s, %(hours)s. "
           "Bring your receipt and ID card."),
        N_("Dossier %(code)s: your result is ready. Collect it at %(office)s. "
           "Bring your receipt and ID card."),
        N_("Dossier %(code)s: your result is ready. Bring your receipt and ID card to collect it."),
    ),
    policy.SUPPLEMENT: (
        N_("Dossier %(code)s: more documents needed: %(note)s. Bring them by %(date)s."),
        N_("Dossier %(code)s: more documents needed: %(note)s."),
        N_("Dossier %(code)s: more documents needed by %(date)s. Hotline %(hotline)s."),
        N_("Dossier %(code)s: more documents needed. Ask at the one-stop desk."),
    ),
    policy.FEE_DUE: (
        N_("Dossier %(code)s: fees due: %(note)s."),
        N_("Dossier %(code)s: fees or taxes are due. Hotline %(hotline)s."),
        N_("Dossier %(code)s: fees or taxes are due. Ask at the one-stop desk."),
    ),
    policy.NOT_ACCEPTED: (
        N_("Dossier %(code)s was not accepted: %(note)s."),
        N_("Dossier %(code)s was not accepted. Hotline %(hotline)s."),
        N_("Dossier %(code)s was not accepted. Ask at the one-stop desk for the reason."),
    ),
    policy.STOPPED: (
        N_("Processing of dossier %(code)s was stopped: %(note)s."),
        N_("Processing of dossier %(code)s was stopped. Hotline %(hotline)s."),
        N_("Processing of dossier %(code)s was stopped. Ask at the one-stop desk for the reason."),
    ),
    policy.NEW_DUE_DATE: (
        N_("%(office)s apologises: dossier %(code)s is delayed. New date: %(date)s."),
        N_("We apologise: dossier %(code)s is delayed. New date: %(date)s."),
        N_("We apologise: dossier %(code)s is delayed."),
    ),
    policy.OVERDUE: (
        N_("%(office)s apologises: dossier %(code)s is past its due date %(date)s. "
           "Hotline %(hotline)s."),
        N_("We apologise: dossier %(code)s is past its due date %(date)s. "
           "The office will give you a new date."),
        N_("We apologise: dossier %(code)s is late. The office will give you a new date."),
    ),
    policy.PICKUP_REMINDER: (
        N_("Reminder: the result of dossier %(code)s is waiting at %(office)s, %(hours)s."),
        N_("Reminder: the result of dossier %(code)s is waiting at %(office)s."),
        N_("Reminder: the result of dossier %(code)s is waiting for you at the one-stop desk."),
    ),
    policy.CONFIRM_PHONE: (
        N_("To get the alerts about dossier %(code)s on this phone, text %(secret)s to %(number)s "
           "within 15 minutes. Not expecting this? Ignore it."),
    ),
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Facts:
    """What a text may say: the dossier code and public facts about the office, nothing personal."""

    code: str
    office: str = ""
    hours: str = ""
    hotline: str = ""
    note: str = ""
    date: datetime | None = None
    # A phone's confirmation code (lookup.recipients) and the number to text it to.
    secret: str = ""
    number: str = ""


def render(kind: str, lang: str, facts: Facts, *, diacritics: bool = False) -> str:
    lang = messages.language(lang)
    values = {
        "code": facts.code,
        "office": _clean(facts.office),
        "hours": _clean(facts.hours),
        "hotline": _clean(facts.hotline),
        "note": _clean(facts.note).rstrip(" .;,"),
        "date": local(facts.date).strftime("%d/%m/%Y") if facts.date else "",
        "secret": facts.secret,
        "number": _clean(facts.number),
    }
    usable = [v for v in VARIANTS[kind] if all(values[n] for n in _PLACEHOLDER.findall(v))]
    if not usable:
        raise ValueError(f"no text for {kind} without a dossier code")
    # What the office wrote (what to bring, the reason, the amount) is the point of the text:
    # better two segments with it than one without.
    with_note = [v for v in usable if "%(note)s" in v]
    wordings = [_wording(messages.gettext(lang, v), values, diacritics) for v in with_note or usable]
    return fit([Part(tuple(wordings))], value=values["note"])


def _wording(template: str, values: dict[str, str], diacritics: bool):
    if "%(note)s" not in template:
        return finish(template % values, diacritics)
    return lambda note: finish(template % {**values, "note": note}, diacritics)


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())
