"""Alert texts: in the applicant's language, without diacritics by default, one segment where
possible, and no personal data beyond the dossier code (never the applicant's name).

Each kind has variants from the fullest to the plainest; the first that fits one SMS segment
wins. A variant is only used when every value it names is known, and one that carries the
office's note is always preferred to one that does not. When nothing fits one segment (a long
note), the note is shortened so that the text fits MAX_SEGMENTS.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from channels.sms.encoding import is_gsm7, segments
from lookup import messages
from lookup.clock import local
from lookup.messages import N_
from worker import policy

MAX_SEGMENTS = 2
MAX_NOTE = 300

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
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Punctuation phones show as boxes in GSM-7, mapped to what it has.
_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...",
                        "đ": "d", "Đ": "D", "\u00a0": " "})


@dataclass(frozen=True)
class Facts:
    """What a text may say: the dossier code and public facts about the office, nothing personal."""

    code: str
    office: str = ""
    hours: str = ""
    hotline: str = ""
    note: str = ""
    date: datetime | None = None


def render(kind: str, lang: str, facts: Facts, *, diacritics: bool = False) -> str:
    lang = messages.language(lang)
    values = {
        "code": facts.code,
        "office": _clean(facts.office),
        "hours": _clean(facts.hours),
        "hotline": _clean(facts.hotline),
        "note": _clean(facts.note).rstrip(" .;,"),
        "date": local(facts.date).strftime("%d/%m/%Y") if facts.date else "",
    }
    if len(values["note"]) > MAX_NOTE:
        values["note"] = values["note"][:MAX_NOTE - 3].rstrip() + "..."
    usable = [v for v in VARIANTS[kind] if all(values[n] for n in _PLACEHOLDER.findall(v))]
    if not usable:
        raise ValueError(f"no text for {kind} without a dossier code")
    # What the office wrote (what to bring, the reason, the amount) is the point of the text:
    # better two segments with it than one without.
    with_note = [v for v in usable if "%(note)s" in v]
    usable = with_note or usable
    texts = [_finish(messages.gettext(lang, v) % values, diacritics) for v in usable]
    for text in texts:
        if segments(text).count <= 1:
            return text
    # Nothing fits one segment: the fullest text that fits MAX_SEGMENTS, shortening the note.
    for variant in usable:
        text = _finish(messages.gettext(lang, variant) % values, diacritics)
        if "%(note)s" in variant:
            note = values["note"]
            while segments(text).count > MAX_SEGMENTS and len(note) > 20:
                note = note[:len(note) - 10].rstrip() + "..."
                text = _finish(messages.gettext(lang, variant) % {**values, "note": note}, diacritics)
        if segments(text).count <= MAX_SEGMENTS:
            return text
    return texts[-1]


def without_diacritics(text: str) -> str:
    """Vietnamese as SMS gateways send it, "khong dau": GSM-7 only, one segment holds 160."""
    text = unicodedata.normalize("NFD", text.translate(_PLAIN))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text).translate(_PLAIN)
    return "".join(ch if is_gsm7(ch) else "?" for ch in text)


def _finish(text: str, diacritics: bool) -> str:
    text = " ".join(text.split())
    return text if diacritics else without_diacritics(text)


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())
