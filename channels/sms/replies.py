"""The words of every SMS reply, sized to the medium.

A status reply says what the citizen must know or do for that status (the place, the amount,
the reason, the documents, the date), in one segment where that fits and in two where it does
not; the hotline and the opening hours are added when they fit the segments already used.
Vietnamese without diacritics unless SMS_DIACRITICS is on. Sizing is `text.fit`'s job, the one
routine that alerts use too.
"""

from __future__ import annotations

from dataclasses import dataclass

from channels.sms import text
from channels.sms.encoding import GSM7, PART, UCS2, segments
from channels.sms.text import Part, fit, part
from lookup import messages
from lookup.clock import local
from lookup.messages import N_
from lookup.views import DossierView

# Several codes in one text: one line each, all of them within this many segments.
MAX_SEVERAL_SEGMENTS = 3
MAX_CODES = 3

HEAD = N_("Dossier %(code)s: %(status)s.")
OVERDUE_HEAD = N_("Dossier %(code)s: %(status)s, overdue.")
DUE = N_("Due %(date)s.")
DUE_COUNT = N_("Due %(date)s (%(count)s).")
OVERDUE_SINCE = N_("Was due %(date)s; the office must give you a new date.")
OVERDUE_SINCE_COUNT = N_("Was due %(date)s (%(count)s); the office must give you a new date.")
AT_OFFICE = N_("At %(office)s.")
EXPECTED = N_("Usually %(low)s-%(high)s working days, %(share)s%% on time.")
EXPECTED_SAME = N_("Usually %(days)s working days, %(share)s%% on time.")
WAIT_DESK = N_("Wait for the desk to accept it.")
COLLECT_AT = N_("Collect at %(office)s.")
BRING = N_("Bring receipt and ID card.")
HOURS = N_("Hours: %(hours)s.")
REASON = N_("Reason: %(note)s.")
TO_DO = N_("To do: %(note)s.")
BRING_BY = N_("Bring them by %(date)s.")
BY = N_("By %(date)s.")
CALL = N_("Call %(hotline)s.")
CALL_FOR_REASON = N_("Call %(hotline)s for the reason.")
NOTHING_MORE = N_("Nothing more to do.")
NOT_FOUND = N_("No dossier %(code)s. Check the code on your receipt, or call %(hotline)s.")
NOT_FOUND_SHORT = N_("%(code)s: not found.")
# A code not found that lacks the office's e-ID at its start (lookup.codes.incomplete).
AGENCY_CUT = N_("That is the end of a dossier code. Text the whole code, office ID first, e.g. "
                "TC %(example)s.")
AGENCY_CUT_ANY = N_("That is the end of a dossier code. Text the whole code as printed on your "
                    "receipt, office ID first.")
NO_AGENCY = N_("Code %(code)s lacks the office ID at its start. Text the whole code as printed on "
               "your receipt, e.g. TC 000.00.04.H40-230414-0002.")
MORE_CODES = N_("Only %(count)s codes per SMS are answered.")
HELP = N_("Text the dossier code to %(number)s, e.g. TC 000.00.04.H40-230414-0002. "
          "STOP: no alerts. START: alerts on. VI: Vietnamese. Hotline %(hotline)s")
HINT = N_("Not understood. Text the dossier code from your receipt, e.g. TC 000.00.04.H40-230414-0002. "
          "HELP: help.")
PROCEDURE_CODE = N_("That is a procedure code. Text the dossier code (Ma ho so) from your receipt. "
                    "HELP: help.")
PHONE_NUMBER = N_("That is a phone number. Text the dossier code (Ma ho so) from your receipt. HELP: help.")
BAD_CODE = N_("Code %(code)s is not valid. Check your receipt and text the code again. HELP: help.")
STOPPED = N_("You will get no more SMS alerts. Text START to turn them back on.")
STARTED = N_("SMS alerts are on. Text STOP to stop them.")
LANGUAGE_EN = N_("Replies will now be in English. Text VI for Vietnamese.")
LANGUAGE_VI = N_("Replies will now be in Vietnamese. Text EN for English.")
RATE_LIMITED = N_("Too many messages from your number. Try again later or call %(hotline)s.")
PIN_LOCKED = N_("%(code)s: PIN locked for now after too many wrong tries. Text the code from the phone "
                "you gave the office, or scan the QR code on your receipt.")

# A code texted back by a phone added for a dossier's alerts (lookup.recipients).
CONFIRMED = N_("This phone will now get the alerts about dossier %(code)s. STOP: no more alerts.")
CODE_WRONG = N_("That code is not right. Tries left: %(count)s.")
CODE_CANCELLED = N_("Too many wrong codes. Add this phone again on the dossier's page.")
CODE_EXPIRED = N_("That code has expired. Add this phone again on the dossier's page.")
NO_CODE_WAITING = N_("No code is waiting for this phone. Add it on the dossier's page first.")

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

    def finish(self, words: str) -> str:
        return text.finish(words, self.diacritics)

    def date(self, moment) -> str:
        return local(moment).strftime("%d/%m/%Y")

    def reply(self, message: str, **values: object) -> str:
        """A reply on its own (help, not found, ...): whole, in at most MAX_SEGMENTS."""
        return fit([self.say(message, **values)])

    @property
    def several_chars(self) -> int:
        """Characters several answers may take together (segments of a concatenated text)."""
        return MAX_SEVERAL_SEGMENTS * (PART[UCS2] if self.diacritics else PART[GSM7])


def status_reply(view: DossierView, style: Style, max_chars: int | None = None) -> str:
    """About one dossier: whole in at most MAX_SEGMENTS, or within `max_chars` when it shares
    a reply with others (then only the head and what fits)."""
    label = messages.status_label(view.status, style.lang)
    head = style.say(OVERDUE_HEAD if view.overdue else HEAD, code=view.code, status=label)
    # The one value long enough to be worth shortening when nothing else makes it fit: for a
    # result ready, the office's name (the citizen knows where they filed; what to bring, they
    # may not), otherwise the office's note.
    value = view.office.name(style.lang) if view.status == "ready" else _note(view)

    def reply(count: str = "") -> str:
        said = parts(view, style, count)
        if max_chars is not None:
            optional = [Part(p.wordings, required=False) for p in said if p]
            return fit([head, *optional], value=value, max_segments=MAX_SEVERAL_SEGMENTS,
                       max_chars=max_chars)
        return fit([head, *said], value=value)

    bare = reply()
    count = style.finish(view.working_days_text(style.lang))
    if count:
        # The working days are a gloss on the date: they go in only if they cost nothing else,
        # neither a part nor a segment.
        counted = reply(count)
        if (counted.replace(f" ({count})", "", 1) == bare
                and segments(counted).count <= segments(bare).count):
            return counted
    return bare


def parts(view: DossierView, style: Style, count: str = "") -> list[Part | None]:
    """What each status needs said after its head: required parts say what the citizen must
    know or do; optional ones (the hotline, the hours) are added where they fit. A wording
    that is a function takes the office's note (for a result ready, the office's name),
    shortened only when nothing else fits. `count` (working days left or late) glosses the
    due date."""
    hotline = view.office.hotline or style.hotline
    call = part(style.say(CALL, hotline=hotline) if hotline else "", required=False)
    status = view.status

    def with_note(message: str) -> Part:
        # Its wordings: with the label ("To do:"), then the office's words alone.
        return Part((lambda note: style.say(message, note=note), lambda note: style.finish(note + ".")))

    if view.overdue and view.due_at:
        date = style.date(view.due_at)
        since = (style.say(OVERDUE_SINCE_COUNT, date=date, count=count) if count
                 else style.say(OVERDUE_SINCE, date=date))
        return [part(since), call]
    if status == "registered":
        return [part(style.say(WAIT_DESK)), call]
    if status in _DUE_STATUSES:
        due = ""
        if view.due_at:
            date = style.date(view.due_at)
            due = style.say(DUE_COUNT, date=date, count=count) if count else style.say(DUE, date=date)
        where = style.say(AT_OFFICE, office=view.handling_office) if view.handling_office else ""
        return [part(due), part(where), call, _expected(view, style)]
    if status in ("supplement_requested", "fee_due"):
        todo = with_note(TO_DO) if view.note else part(style.finish(messages.next_step(status, style.lang)))
        by = None
        if status == "supplement_requested" and view.due_at:
            date = style.date(view.due_at)
            by = part(style.say(BRING_BY, date=date), style.say(BY, date=date))
        return [todo, by, call]
    if status in _REASON_STATUSES:
        if view.note:
            return [with_note(REASON), call]
        # No reason written down: the hotline is how to learn it.
        return [part(style.say(CALL_FOR_REASON, hotline=hotline) if hotline else "")]
    if status == "ready":
        pickup = view.office.pickup_hours
        hours = style.say(HOURS, hours=pickup) if pickup else ""
        collect = Part((lambda office: style.say(COLLECT_AT, office=office),
                        lambda office: style.say(AT_OFFICE, office=office)))
        # What to bring: the office's own words when it wrote them.
        bring = style.finish(_note(view) + ".") if view.note else style.say(BRING)
        return [collect, part(bring), part(hours, required=False), call]
    if status in _DONE_STATUSES:
        return [part(style.say(NOTHING_MORE))]
    return [call]


def _expected(view: DossierView, style: Style) -> Part | None:
    """How long such dossiers usually take at this office: said only where it fits."""
    if view.expected is None:
        return None
    figures = view.expected.figures
    low, high = figures.p50_working_days, figures.p90_working_days
    said = (style.say(EXPECTED_SAME, days=low, share=figures.on_time_percent) if low == high
            else style.say(EXPECTED, low=low, high=high, share=figures.on_time_percent))
    return part(said, required=False)


def _note(view: DossierView) -> str:
    """The office's note as a reply quotes it: one line, without its closing stop."""
    return " ".join(view.note.split()).rstrip(" .;,") if view.note else ""


def several(lines: list[str], extra: str = "") -> str:
    """Several answers in one reply, never over MAX_SEVERAL_SEGMENTS."""
    return fit(["\n".join(lines + ([extra] if extra else []))], max_segments=MAX_SEVERAL_SEGMENTS)
