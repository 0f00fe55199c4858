"""The words of every SMS reply, sized to the medium.

A status reply is one segment: the code and its status always, then what the citizen needs
for that status (due date, where to collect, the office's reason or amount, the hotline), each
added only while it still fits. Vietnamese without diacritics unless SMS_DIACRITICS is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from channels.sms.encoding import segments
from channels.sms.text import plain, shorten
from lookup import messages
from lookup.clock import local
from lookup.messages import N_
from lookup.views import DossierView

MAX_SEGMENTS = 3
MAX_CODES = 3

HEAD = N_("Dossier %(code)s: %(status)s.")
OVERDUE_HEAD = N_("Dossier %(code)s: %(status)s, overdue.")
DUE = N_("Due %(date)s.")
DUE_COUNT = N_("Due %(date)s (%(count)s).")
OVERDUE_SINCE = N_("Was due %(date)s; the office must give you a new date.")
OVERDUE_SINCE_COUNT = N_("Was due %(date)s (%(count)s); the office must give you a new date.")
AT_OFFICE = N_("At %(office)s.")
WAIT_DESK = N_("Wait for the desk to accept it.")
COLLECT_AT = N_("Collect at %(office)s.")
BRING = N_("Bring receipt and ID card.")
HOURS = N_("Hours: %(hours)s.")
REASON = N_("Reason: %(note)s")
TO_DO = N_("To do: %(note)s")
BRING_BY = N_("Bring them by %(date)s.")
CALL = N_("Call %(hotline)s.")
NOTHING_MORE = N_("Nothing more to do.")
NOT_FOUND = N_("No dossier %(code)s. Check the code on your receipt, or call %(hotline)s.")
NOT_FOUND_SHORT = N_("%(code)s: not found.")
MORE_CODES = N_("Only %(count)s codes per SMS are answered.")
HELP = N_("Text the dossier code to %(number)s, e.g. TC 000.00.04.H40-230414-0002. "
          "HUY: stop alerts. BATDAU: alerts on. EN: English. Hotline %(hotline)s")
HINT = N_("Not understood. Text the dossier code from your receipt, e.g. TC 000.00.04.H40-230414-0002. "
          "HD: help.")
PROCEDURE_CODE = N_("That is a procedure code. Text the dossier code (Ma ho so) from your receipt. HD: help.")
PHONE_NUMBER = N_("That is a phone number. Text the dossier code (Ma ho so) from your receipt. HD: help.")
BAD_CODE = N_("Code %(code)s is not valid. Check your receipt and text the code again. HD: help.")
STOPPED = N_("You will get no more SMS alerts. Text BATDAU to turn them back on.")
STARTED = N_("SMS alerts are on. Text HUY to stop them.")
LANGUAGE_EN = N_("Replies will now be in English. Text VI for Vietnamese.")
LANGUAGE_VI = N_("Replies will now be in Vietnamese. Text EN for English.")
RATE_LIMITED = N_("Too many messages from your number. Try again later or call %(hotline)s.")

# What each status needs said after its head, most useful first.
_DUE_STATUSES = ("received", "processing")
_REASON_STATUSES = ("not_accepted", "stopped")
_DONE_STATUSES = ("returned", "withdrawn")


@dataclass(frozen=True)
class Style:
    lang: str
    diacritics: bool = False
    short_number: str = "8077"
    hotline: str = ""

    def say(self, message: str, **values: object) -> str:
        return self.finish(messages.gettext(self.lang, message, **values))

    def finish(self, text: str) -> str:
        return text if self.diacritics else plain(text)

    def date(self, moment) -> str:
        return local(moment).strftime("%d/%m/%Y")


def fits(text: str, max_segments: int = 1, max_chars: int | None = None) -> bool:
    return segments(text).count <= max_segments and (max_chars is None or len(text) <= max_chars)


Part = str | tuple[str, ...]


def compose(head: str, parts: Iterable[Part], max_segments: int = 1, max_chars: int | None = None) -> str:
    """`head`, then each part that still fits in `max_segments`; a tuple is one part in
    alternative wordings, longest first. The head is cut only if it alone does not fit."""
    text = head
    if not fits(text, max_segments, max_chars):
        return fit(text, max_segments, max_chars)
    for part in parts:
        for wording in (part,) if isinstance(part, str) else part:
            if wording and fits(f"{text} {wording}", max_segments, max_chars):
                text = f"{text} {wording}"
                break
    return text


def fit(text: str, max_segments: int, max_chars: int | None = None) -> str:
    """`text`, cut at a word until it fits."""
    limit = min(len(text), max_chars or len(text))
    while limit > 0 and not fits(shorten(text, limit), max_segments):
        limit -= 1
    return shorten(text, limit)


def status_reply(view: DossierView, style: Style, max_chars: int | None = None) -> str:
    """One segment about one dossier (or at most `max_chars`, when it shares a reply)."""
    label = messages.status_label(view.status, style.lang)
    head_msg = OVERDUE_HEAD if view.overdue else HEAD
    head = style.say(head_msg, code=view.code, status=label)
    reply = compose(head, _parts(view, style), 1, max_chars)
    count = style.finish(view.working_days_text(style.lang))
    if count:
        # The working days are a gloss on the date: they go in only if they cost nothing else.
        counted = compose(head, _parts(view, style, count), 1, max_chars)
        if counted.replace(f" ({count})", "", 1) == reply:
            return counted
    return reply


def _parts(view: DossierView, style: Style, count: str = "") -> list[Part]:
    office = view.office.name(style.lang)
    hotline = view.office.hotline or style.hotline
    call = style.say(CALL, hotline=hotline) if hotline else ""
    note = style.finish(" ".join(view.note.split())) if view.note else ""
    status = view.status
    if view.overdue and view.due_at:
        since = (style.say(OVERDUE_SINCE_COUNT, date=style.date(view.due_at), count=count) if count
                 else style.say(OVERDUE_SINCE, date=style.date(view.due_at)))
        return [since, call]
    if status == "registered":
        return [style.say(WAIT_DESK), call]
    if status in _DUE_STATUSES:
        due = ""
        if view.due_at:
            due = (style.say(DUE_COUNT, date=style.date(view.due_at), count=count) if count
                   else style.say(DUE, date=style.date(view.due_at)))
        where = style.say(AT_OFFICE, office=view.handling_office) if view.handling_office else ""
        return [due, where, call]
    if status == "supplement_requested":
        by = style.say(BRING_BY, date=style.date(view.due_at)) if view.due_at else ""
        todo = style.say(TO_DO, note=note) if note else style.finish(messages.next_step(status, style.lang))
        return [(todo, shorten(todo, 90)), by, call]
    if status == "fee_due":
        todo = style.say(TO_DO, note=note) if note else style.finish(messages.next_step(status, style.lang))
        return [(todo, shorten(todo, 90)), call]
    if status in _REASON_STATUSES:
        reason = style.say(REASON, note=note) if note else ""
        return [(reason, shorten(reason, 80)), call]
    if status == "ready":
        pickup = view.office.pickup_hours
        hours = style.say(HOURS, hours=style.finish(pickup)) if pickup else ""
        return [style.say(COLLECT_AT, office=office), style.say(BRING), hours, call]
    if status in _DONE_STATUSES:
        return [style.say(NOTHING_MORE)]
    return [call]


def several(lines: list[str], extra: str = "") -> str:
    """Several answers in one reply, never over MAX_SEGMENTS."""
    text = "\n".join(lines + ([extra] if extra else []))
    return text if fits(text, MAX_SEGMENTS) else fit(text, MAX_SEGMENTS)
