"""The SMS command handler: inbound text and sender in, reply text and effects out. Pure.

It reads nothing and writes nothing itself: dossiers come through the `resolve` function it is
given (the lookup service), and what a keyword changes (opt-out, language) comes back as
effects for the adapter to store. The sender's phone is the proof of ownership, or a PIN.

Understood, in any case, with or without diacritics, with extra spaces or punctuation:
a bare code; a keyword (TC, TRACUU, HS, MA, ...) + code (+ PIN); several codes (3 answered);
HD/HELP and a lone `?`; HUY/STOP/TU CHOI; BATDAU/START; EN/VI. Anything else gets one short hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from channels.sms import replies
from channels.sms.replies import Style
from channels.sms.text import fit, fold
from lookup import codes, recipients
from lookup.pins import PinLocked
from lookup.views import DossierView, Proof

# Longer texts cannot be a command; only their beginning is read.
MAX_READ = 480

HELP_WORDS = {"HD", "HELP", "HUONG DAN", "HUONGDAN", "TRO GIUP", "TROGIUP", "HDSD", "INFO", "CU PHAP", "MENU"}
STOP_WORDS = {"HUY", "STOP", "TU CHOI", "TUCHOI", "HUY DK", "HUYDK", "HUY DANG KY", "HUY TB", "HUY THONG BAO",
              "DUNG", "DUNG LAI", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
              "KHONG NHAN", "TU CHOI NHAN TIN", "OFF"}
START_WORDS = {"BATDAU", "BAT DAU", "START", "UNSTOP", "BAT LAI", "NHAN LAI", "ON"}
ENGLISH_WORDS = {"EN", "ENG", "ENGLISH", "TIENG ANH", "TIENGANH"}
VIETNAMESE_WORDS = {"VI", "VN", "VIE", "VIET", "TIENG VIET", "TIENGVIET", "VIETNAMESE"}
# Words that introduce a code; dropped wherever they are.
LOOKUP_WORDS = {"TC", "TRACUU", "TRACU", "TRACUUU", "TRA", "CUU", "TRUY", "HS", "HOSO", "HO", "SO", "MA",
                "MAHS", "MASO", "KT", "KIEMTRA", "KIEM", "XEM", "CODE", "CHECK", "STATUS", "LOOKUP", "PIN",
                "MK", "MATKHAU", "MAT", "KHAU", "VA", "AND", "CUA", "TOI", "LA", "NO", "DOSSIER",
                "TINH", "TRANG", "TINHTRANG", "HOI", "CHO", "EM", "ANH", "CHI", "XIN", "VOI", "A"}
# English keywords answer in English when the number has not chosen a language.
ENGLISH_KEYWORDS = {"HELP", "INFO", "MENU", "STOP", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END",
                    "QUIT", "START", "UNSTOP", "ENGLISH", "EN", "ENG"}
_KEYWORD_TYPO_TARGETS = ("TRACUU", "BATDAU", "TUCHOI", "ENGLISH", "HUONGDAN")

_WORDS = re.compile(r"[A-Z0-9]+")
# A question mark alone (or a few, or the full-width one) asks for help.
_QUESTION = re.compile(r"\s*[?？¿]+\s*")
_SEGMENT_SPLIT = re.compile(r"[,;\n]+|\s(?:VA|AND|&|\+)\s")
# Whatever is not a letter or digit at either end of a token: quotes, brackets, stops, dashes.
_EDGE = re.compile(r"^[^A-Z0-9]+|[^A-Z0-9]+$")
_GLUED_KEYWORD = re.compile(r"^(TRACUU|TC|HS|MA|KT|MAHS)[.\-_/]?(\d.*)$")
# Anything that cannot be in a code separates words: `TC:000...`, `<000...>`, `000...@...`.
_NOT_CODE = re.compile(r"[^A-Z0-9.\-_/\s]+")

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
LANGUAGE = "language"


@dataclass(frozen=True)
class Effect:
    kind: str  # OPT_OUT, OPT_IN or LANGUAGE
    value: str = ""


@dataclass(frozen=True)
class Reply:
    text: str
    kind: str  # status, several, not_found, invalid, pin_locked, help, hint, stop, start, language, confirm
    lang: str
    effects: tuple[Effect, ...] = ()
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    """What the handler needs from config, so it never reads the app."""

    short_number: str = "8077"
    hotline: str = ""
    diacritics: bool = False
    pin_length: int = 6
    default_language: str = "vi"


@dataclass
class Candidate:
    parts: list[str] = field(default_factory=list)
    pin: str | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


Resolve = Callable[[str, Proof], DossierView | None]
# For a code not found: what its start lacks (Service.incomplete, the rule the web uses too).
Incomplete = Callable[[str], codes.Incomplete | None]


def handle(text: str | None, sender: str, *, resolve: Resolve, incomplete: Incomplete,
           settings: Settings | None = None, language: str | None = None) -> Reply:
    """The reply to one inbound SMS. `language` is the sender's saved choice (EN/VI), if any."""
    settings = settings or Settings()
    keyword = keyword_reply(text, settings, language)
    if keyword is not None:
        return keyword
    text = text if isinstance(text, str) else ""
    folded = fold(text[:MAX_READ])
    lang = language or settings.default_language
    style = _style(lang, settings)
    candidates = find_candidates(folded, settings.pin_length)
    if not candidates:
        return Reply(style.reply(replies.HINT), "hint", lang)
    return _lookup_reply(candidates, sender, resolve, incomplete, style)


def keyword_reply(text: str | None, settings: Settings | None = None,
                  language: str | None = None) -> Reply | None:
    """The reply when the whole text is a keyword (HD, HUY, BATDAU, EN, VI...), else None."""
    settings = settings or Settings()
    text = text if isinstance(text, str) else ""
    phrase = " ".join(_WORDS.findall(fold(text[:MAX_READ])))
    keyword = "help" if _QUESTION.fullmatch(text[:MAX_READ]) else _keyword(phrase)
    if keyword is None:
        return None
    lang = language or settings.default_language
    if language is None and phrase in ENGLISH_KEYWORDS:
        lang = "en"
    return _keyword_reply(keyword, lang, settings)


def _style(lang: str, settings: Settings) -> Style:
    return Style(lang=lang, diacritics=settings.diacritics, short_number=settings.short_number,
                 hotline=settings.hotline)


def _keyword(phrase: str) -> str | None:
    compact = phrase.replace(" ", "")
    for kind, words in ((OPT_OUT, STOP_WORDS), (OPT_IN, START_WORDS), ("help", HELP_WORDS),
                        ("en", ENGLISH_WORDS), ("vi", VIETNAMESE_WORDS)):
        if phrase in words or compact in words:
            return kind
    if len(compact) >= 5:
        for target in _KEYWORD_TYPO_TARGETS:
            if _one_edit(compact, target):
                return {"TRACUU": None, "BATDAU": OPT_IN, "TUCHOI": OPT_OUT, "ENGLISH": "en",
                        "HUONGDAN": "help"}[target]
    return None


def _keyword_reply(keyword: str, lang: str, settings: Settings) -> Reply:
    if keyword in ("en", "vi"):
        message = replies.LANGUAGE_EN if keyword == "en" else replies.LANGUAGE_VI
        said = _style(keyword, settings).reply(message)
        return Reply(said, LANGUAGE, keyword, (Effect(LANGUAGE, keyword),))
    style = _style(lang, settings)
    if keyword == OPT_OUT:
        return Reply(style.reply(replies.STOPPED), "stop", lang, (Effect(OPT_OUT),))
    if keyword == OPT_IN:
        return Reply(style.reply(replies.STARTED), "start", lang, (Effect(OPT_IN),))
    said = style.reply(replies.HELP, number=settings.short_number, hotline=settings.hotline)
    return Reply(said, "help", lang)


# Words that may come before a confirmation code (lookup.recipients): "XN 123456".
CONFIRM_WORDS = {"XN", "XAC NHAN", "XACNHAN", "MA XAC NHAN", "OK", "CONFIRM", "CODE"}
_CONFIRMATION = re.compile(rf"^(?:(?P<word>[A-Z ]+?)\s*[:.\-]?\s*)?(?P<code>\d{{{recipients.CODE_DIGITS}}})$")


@dataclass(frozen=True)
class Confirmation:
    code: str
    # Said with a word (XN 123456): surely a confirmation, answered even when none waits.
    worded: bool


def confirmation_code(text: str | None) -> Confirmation | None:
    """The text is a confirmation code (`123456`, `XN 123456`), or None."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    found = _CONFIRMATION.match(" ".join(fold(text).split()))
    if found is None:
        return None
    word = (found["word"] or "").strip()
    if word and word not in CONFIRM_WORDS:
        return None
    return Confirmation(found["code"], bool(word))


def confirmation_reply(answer: recipients.Answer, settings: Settings | None = None,
                       language: str | None = None) -> Reply:
    """What a phone that texted a confirmation code is told."""
    settings = settings or Settings()
    lang = language or settings.default_language
    style = _style(lang, settings)
    if answer.outcome == recipients.CONFIRMED:
        said = style.reply(replies.CONFIRMED, code=answer.dossier_code)
    elif answer.outcome == recipients.WRONG:
        said = style.reply(replies.CODE_WRONG, count=answer.tries_left)
    elif answer.outcome == recipients.CANCELLED:
        said = style.reply(replies.CODE_CANCELLED)
    elif answer.outcome == recipients.EXPIRED:
        said = style.reply(replies.CODE_EXPIRED)
    else:
        said = style.reply(replies.NO_CODE_WAITING)
    codes_named = (answer.dossier_code,) if answer.dossier_code else ()
    return Reply(said, "confirm", lang, codes=codes_named)


def find_candidates(folded: str, pin_length: int) -> list[Candidate]:
    """Code (and PIN) candidates in a folded text, in order, at most one per distinct code."""
    found: list[Candidate] = []
    for segment in _SEGMENT_SPLIT.split(folded):
        for run in _digit_runs(segment):
            found.extend(_candidates_in_run(run, pin_length))
    unique: list[Candidate] = []
    seen: set[str] = set()
    for candidate in found:
        key = codes.match_key(candidate.text) or candidate.text
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


def _digit_runs(segment: str) -> list[list[str]]:
    """Runs of consecutive tokens that carry digits; keyword and filler words are skipped,
    other words end a run."""
    runs: list[list[str]] = []
    current: list[str] = []
    for raw in _NOT_CODE.sub(" ", segment).split():
        token = _EDGE.sub("", raw)
        glued = _GLUED_KEYWORD.match(token)
        if glued:
            token = glued.group(2)
        if not token or token in LOOKUP_WORDS or not any(c.isalnum() for c in token):
            continue
        if any(c.isdigit() for c in token):
            current.append(token)
            continue
        if current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _is_pin(token: str, pin_length: int) -> bool:
    return token.isdigit() and len(token) == pin_length


def _candidates_in_run(run: list[str], pin_length: int) -> list[Candidate]:
    complete = [t for t in run if codes.looks_whole(t)]
    if len(complete) >= 2:
        # Several whole codes, each perhaps followed by its PIN.
        out: list[Candidate] = []
        for token in run:
            if codes.looks_whole(token):
                out.append(Candidate([token]))
            elif out and out[-1].pin is None and _is_pin(token, pin_length):
                out[-1].pin = token
        return out
    if len(complete) == 1:
        code = complete[0]
        after = run[run.index(code) + 1:]
        pin = next((t for t in after if _is_pin(t, pin_length)), None)
        return [Candidate([code], pin)]
    # A code typed in pieces (`000.00.04.H40 230414 0002`), perhaps with its PIN last.
    pin = None
    if len(run) > 1 and _is_pin(run[-1], pin_length):
        pin = run[-1]
        run = run[:-1]
    return [Candidate(run, pin)]


def _lookup_reply(candidates: list[Candidate], sender: str, resolve: Resolve, incomplete: Incomplete,
                  style: Style) -> Reply:
    answered = candidates[:replies.MAX_CODES]
    results = []
    for candidate in answered:
        proof = Proof(pin=candidate.pin) if candidate.pin else Proof(phone=sender)
        try:
            view = resolve(candidate.text, proof)
        except codes.InvalidCode as error:
            results.append((candidate, None, error.reason))
            continue
        except PinLocked:
            results.append((candidate, None, _PIN_LOCKED))
            continue
        results.append((candidate, view, None))

    if len(results) == 1:
        candidate, view, reason = results[0]
        if reason == _PIN_LOCKED:
            return Reply(_invalid(candidate, reason, style), "pin_locked", style.lang,
                         codes=(_display(candidate),))
        if reason:
            return Reply(_invalid(candidate, reason, style), "invalid", style.lang)
        if view is None:
            missing = incomplete(candidate.text)
            if missing is not None:
                return Reply(_lacking(candidate, missing, style), "invalid", style.lang)
            return Reply(_not_found(candidate, style), "not_found", style.lang,
                         codes=(_display(candidate),))
        return Reply(replies.status_reply(view, style), "status", style.lang, codes=(view.code,))

    extra = style.say(replies.MORE_CODES, count=replies.MAX_CODES) if len(candidates) > len(answered) else ""
    budget = style.several_chars - (len(extra) + 1 if extra else 0)
    per_line = budget // len(results) - 1
    lines = []
    shown = []
    for candidate, view, reason in results:
        if view is not None:
            shown.append(view.code)
            line = replies.status_reply(view, style, max_chars=per_line)
        elif reason:
            line = fit([_invalid(candidate, reason, style)], max_chars=per_line)
        else:
            shown.append(_display(candidate))
            line = fit([style.say(replies.NOT_FOUND_SHORT, code=_display(candidate))], max_chars=per_line)
        lines.append(line)
    return Reply(replies.several(lines, extra), "several", style.lang, codes=tuple(shown))


def _display(candidate: Candidate) -> str:
    try:
        return codes.parse(candidate.text).display[:40]
    except codes.InvalidCode:
        return candidate.text[:40]


# Not a reason a code is invalid: the code's PIN is locked (lookup.pins).
_PIN_LOCKED = "pin_locked"


def _invalid(candidate: Candidate, reason: str, style: Style) -> str:
    if reason == _PIN_LOCKED:
        return style.reply(replies.PIN_LOCKED, code=_display(candidate))
    if reason == codes.PROCEDURE_CODE:
        return style.reply(replies.PROCEDURE_CODE)
    if reason == codes.PHONE_NUMBER:
        return style.reply(replies.PHONE_NUMBER)
    if reason in (codes.TOO_SHORT, codes.NO_DIGITS, codes.EMPTY):
        return style.reply(replies.HINT)
    return style.reply(replies.BAD_CODE, code=candidate.text[:30])


def _not_found(candidate: Candidate, style: Style) -> str:
    return style.reply(replies.NOT_FOUND, code=_display(candidate), hotline=style.hotline)


def _lacking(candidate: Candidate, missing: codes.Incomplete, style: Style) -> str:
    if missing.reason == codes.NO_AGENCY:
        return style.reply(replies.NO_AGENCY, code=_display(candidate))
    if missing.example:
        return style.reply(replies.AGENCY_CUT, example=missing.example)
    return style.reply(replies.AGENCY_CUT_ANY)


def _one_edit(a: str, b: str) -> bool:
    """Within one typo (a letter missing, extra, changed or two swapped)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))
