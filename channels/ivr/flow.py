"""The hotline call flow: a pure state machine, `step(state, event, settings) -> (state, outputs)`.

Both adapters (Asterisk AsyncAGI, Twilio Voice) drive this one flow. It does no I/O: a lookup
is an output (`Lookup`) that the driver answers with a `Found` event, and time comes in with
each event. The state is plain data (`State.to_dict`) so Twilio can carry it between webhooks.

The caller hears one prompt per turn: an `Ask` (play, then collect keys) or a `Say` (play only).
A prompt is a tuple of `Line`s: message keys with values, turned into words by prompts.py.

The answer comes in two steps, so that a caller hears what they called for at once: first the
status and the date (`answer` lines, a few seconds), then, on 1, the office, its address and
hours, the office's note and what to do (`details` lines). Once answered, silence is a goodbye.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from channels.ivr.hours import OfficeHours
from lookup import codes
from lookup.clock import local

# Stages
NEW = "new"
LANGUAGE = "language"
CODE = "code"
CONFIRM = "confirm"
LOOKUP = "lookup"
MENU = "menu"
DONE = "done"

MAX_MISSES = 3
MAX_MATCHES_READ = 3
# Seconds of silence before a question counts as unanswered (per key, as GET DATA and Gather do).
LANGUAGE_TIMEOUT = 5
CODE_TIMEOUT = 8
CHOICE_TIMEOUT = 6
MAX_CODE_DIGITS = 40


@dataclass(frozen=True)
class Settings:
    operator_number: str
    office_hours: OfficeHours
    office_hours_text: str
    max_call_seconds: int


@dataclass(frozen=True)
class Line:
    """One sentence of a prompt: a message key and its values; `lang` overrides the call's."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    lang: str | None = None

    def __hash__(self) -> int:
        # Hashable, so the words and the sound file of a prompt are worked out once (prompts.py).
        return hash((self.key, tuple(sorted(self.values.items())), self.lang))


@dataclass(frozen=True)
class Match:
    """What the caller may hear about one dossier: plain, serialisable, public tier unless proven."""

    code: str
    status: str
    due: str | None  # local date, ISO (YYYY-MM-DD)
    overdue: bool
    final: bool
    office_vi: str
    office_en: str
    address: str
    hours: str
    note: str = ""
    proven: bool = False
    procedure_vi: str = ""
    procedure_en: str = ""
    # Working days left until the due date, or late since it (lookup.views.DossierView).
    days_left: int | None = None
    days_late: int | None = None
    due_today: bool = False
    # How long such dossiers usually take at this office (lookup.expected), while open.
    expected_low: int | None = None
    expected_high: int | None = None
    expected_share: int | None = None


# Outputs


@dataclass(frozen=True)
class Ask:
    lang: str
    lines: tuple[Line, ...]
    max_digits: int
    timeout: int
    finish_on_key: str = ""


@dataclass(frozen=True)
class Say:
    lang: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Lookup:
    digits: str
    caller: str


@dataclass(frozen=True)
class Transfer:
    number: str


@dataclass(frozen=True)
class Hangup:
    pass


Output = Ask | Say | Lookup | Transfer | Hangup

# Events


@dataclass(frozen=True)
class Start:
    caller: str
    at: float


@dataclass(frozen=True)
class Keys:
    """What the caller keyed; "" is silence. May hold `*` (GET DATA and Gather pass it through)."""

    digits: str
    at: float


@dataclass(frozen=True)
class Found:
    matches: tuple[Match, ...]
    at: float


@dataclass(frozen=True)
class HungUp:
    pass


Event = Start | Keys | Found | HungUp


@dataclass(frozen=True)
class State:
    stage: str = NEW
    lang: str = "vi"
    caller: str = ""
    started: float = 0.0
    misses: int = 0
    code_misses: int = 0
    digits: str = ""
    matches: tuple[Match, ...] = ()
    # The details (office, hours, what to do) were read after the answer.
    details: bool = False

    def evolve(self, **changes: Any) -> State:
        """`dataclasses.replace`, without its per-call introspection (this runs on every key)."""
        values = dict(self.__dict__)
        values.update(changes)
        return State(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        """Raise ValueError/TypeError/KeyError for data that is not a state we wrote."""
        values = dict(data)
        values["matches"] = tuple(Match(**m) for m in values.get("matches", ()))
        state = cls(**values)
        if state.stage not in (NEW, LANGUAGE, CODE, CONFIRM, LOOKUP, MENU, DONE):
            raise ValueError("unknown stage")
        return state


# Prompts the flow asks, as functions so `static_prompts()` can list the ones without values.


def ask_language(prefix: tuple[Line, ...] = ()) -> Ask:
    lines = (*prefix, Line("welcome", lang="vi"), Line("choose_vi", lang="vi"), Line("choose_en", lang="en"))
    return Ask("vi", lines, max_digits=1, timeout=LANGUAGE_TIMEOUT)


def ask_code(lang: str, prefix: tuple[Line, ...] = ()) -> Ask:
    return Ask(lang, (*prefix, Line("enter_code")), max_digits=MAX_CODE_DIGITS, timeout=CODE_TIMEOUT,
               finish_on_key="#")


def ask_confirm(lang: str, digits: str, prefix: tuple[Line, ...] = ()) -> Ask:
    return Ask(lang, (*prefix, Line("read_back", {"digits": digits}), Line("confirm_menu")),
               max_digits=1, timeout=CHOICE_TIMEOUT)


def ask_menu(lang: str, prefix: tuple[Line, ...] = (), *, details: bool = False,
             operator: bool = False) -> Ask:
    """After an answer: 1 the details (or, once heard, them again), 2 another dossier, and 0 an
    operator only where there is one to talk to."""
    lines = (*prefix, Line("menu_again" if details else "menu_details"), Line("menu_another"))
    if operator:
        lines += (Line("menu_operator"),)
    return Ask(lang, lines, max_digits=1, timeout=CHOICE_TIMEOUT)


def answer_lines(matches: tuple[Match, ...], year: int = 0) -> tuple[Line, ...]:
    """The status and the date of each match (several: which office each is at). A due date in
    `year` (the call's) is said without it: two seconds less to wait for the answer."""
    return _match_lines("answer", matches, several=True, year=year)


def detail_lines(matches: tuple[Match, ...]) -> tuple[Line, ...]:
    """Where, when and what: the office, its address and hours, the office's note, what to do."""
    return _match_lines("details", matches, several=False)


def _match_lines(key: str, matches: tuple[Match, ...], several: bool, **extra: Any) -> tuple[Line, ...]:
    shown = matches[:MAX_MATCHES_READ]
    lines = [Line("several", {"count": len(matches)})] if several and len(matches) > 1 else []
    for n, match in enumerate(shown, start=1):
        lines.append(Line(key, {"match": match, "n": n if len(shown) > 1 else 0, **extra}))
    return tuple(lines)


def goodbye(lang: str, key: str) -> list[Output]:
    return [Say(lang, (Line(key),)), Hangup()]


def static_prompts(settings: Settings | None = None) -> list[Ask | Say]:
    """Every prompt whose words do not depend on the caller: rendered ahead by `make run`."""
    prompts: list[Ask | Say] = [ask_language(), ask_language((Line("invalid_key", lang="vi"),))]
    operator = bool(settings is not None and settings.operator_number)
    for lang in ("vi", "en"):
        for prefix in ((), (Line("no_input"),), (Line("invalid_key"),), (Line("too_short"),),
                       (Line("too_long"),), (Line("not_found"),)):
            prompts.append(ask_code(lang, prefix))
        menu_prefixes = [(Line("invalid_key"),)]
        if operator:
            menu_prefixes.append((Line("operator_closed", {"hours": settings.office_hours_text}),))
        else:
            menu_prefixes.append((Line("no_operator"),))
        for details in (False, True):
            for prefix in menu_prefixes:
                prompts.append(ask_menu(lang, prefix, details=details, operator=operator))
        for key in ("goodbye_misses", "goodbye_thanks", "time_limit", "try_later", "connecting"):
            prompts.append(Say(lang, (Line(key),)))
    return prompts


# The machine


def step(state: State, event: Event, settings: Settings) -> tuple[State, list[Output]]:
    if isinstance(event, HungUp):
        return state.evolve(stage=DONE), []
    if isinstance(event, Start):
        return State(stage=LANGUAGE, caller=event.caller, started=event.at), [ask_language()]
    if state.stage == DONE:
        return state, [Hangup()]
    if state.stage == NEW:
        # Keys before any greeting (a state that never started): start properly.
        return step(state, Start(state.caller, getattr(event, "at", 0.0)), settings)
    if event.at - state.started >= settings.max_call_seconds:
        return state.evolve(stage=DONE), goodbye(state.lang, "time_limit")
    if isinstance(event, Found):
        if state.stage != LOOKUP:
            return state, []
        return _found(state, event.matches, settings, event.at)
    if state.stage == LOOKUP:
        # Keys while we look up cannot happen on either adapter; ask again rather than guess.
        return state.evolve(stage=CODE), [ask_code(state.lang)]
    handler = {LANGUAGE: _language, CODE: _code, CONFIRM: _confirm, MENU: _menu}[state.stage]
    return handler(state, event, settings)


def _miss(state: State, ask: Ask, reason: str, misses: int | None = None,
          farewell: str = "goodbye_misses") -> tuple[State, list[Output]]:
    count = (state.misses if misses is None else misses) + 1
    if count >= MAX_MISSES:
        return state.evolve(stage=DONE, misses=count), goodbye(state.lang, farewell)
    prefix = (Line(reason, lang=ask.lang),)
    return state.evolve(misses=count), [replace(ask, lines=prefix + ask.lines)]


def _reason(keys: str) -> str:
    return "no_input" if not keys else "invalid_key"


def _language(state: State, event: Keys, settings: Settings) -> tuple[State, list[Output]]:
    keys = event.digits
    if keys in ("", "1", "2"):
        lang = "en" if keys == "2" else "vi"
        return state.evolve(stage=CODE, lang=lang, misses=0), [ask_code(lang)]
    if keys == "*":
        return state, [ask_language()]
    return _miss(state, ask_language(), "invalid_key")


def _code(state: State, event: Keys, settings: Settings) -> tuple[State, list[Output]]:
    keys = event.digits
    if "*" in keys:
        # `*` starts over: what was keyed after the last star is the new attempt.
        keys = keys.rsplit("*", 1)[1]
        if not keys:
            return state.evolve(digits=""), [ask_code(state.lang)]
    digits = codes.keypad_entry(keys)
    if not digits:
        return _miss(state, ask_code(state.lang), "no_input")
    if len(digits) < codes.MIN_KEY_LENGTH:
        return _miss(state, ask_code(state.lang), "too_short")
    if len(digits) > codes.MAX_CODE_LENGTH:
        return _miss(state, ask_code(state.lang), "too_long")
    return (state.evolve(stage=CONFIRM, digits=digits, code_misses=state.misses, misses=0),
            [ask_confirm(state.lang, digits)])


def _confirm(state: State, event: Keys, settings: Settings) -> tuple[State, list[Output]]:
    keys = event.digits
    if keys == "1":
        return state.evolve(stage=LOOKUP), [Lookup(state.digits, state.caller)]
    if keys in ("2", "*"):
        return state.evolve(stage=CODE, digits="", misses=state.code_misses), [ask_code(state.lang)]
    return _miss(state, ask_confirm(state.lang, state.digits), _reason(keys))


def _found(state: State, matches: tuple[Match, ...], settings: Settings,
           at: float) -> tuple[State, list[Output]]:
    if not matches:
        back = state.evolve(stage=CODE, digits="")
        return _miss(back, ask_code(state.lang), "not_found", misses=state.code_misses)
    # A dossier registered to the caller's own phone comes first.
    ordered = tuple(sorted(matches, key=lambda m: not m.proven))
    state = state.evolve(stage=MENU, matches=ordered, misses=0, code_misses=0, details=False)
    year = local(datetime.fromtimestamp(at, UTC)).year
    return state, [_ask_menu(state, settings, answer_lines(ordered, year))]


def _ask_menu(state: State, settings: Settings, prefix: tuple[Line, ...] = ()) -> Ask:
    return ask_menu(state.lang, prefix, details=state.details, operator=bool(settings.operator_number))


def _menu(state: State, event: Keys, settings: Settings) -> tuple[State, list[Output]]:
    keys = event.digits
    if keys == "1":
        state = state.evolve(misses=0, details=True)
        return state, [_ask_menu(state, settings, detail_lines(state.matches))]
    if keys in ("2", "*"):
        fresh = state.evolve(stage=CODE, digits="", matches=(), misses=0, code_misses=0, details=False)
        return fresh, [ask_code(state.lang)]
    if keys == "0":
        return _operator(state, event, settings)
    if not keys:
        # They have their answer: silence means they are done.
        return state.evolve(stage=DONE), goodbye(state.lang, "goodbye_thanks")
    return _miss(state, _ask_menu(state, settings), "invalid_key", farewell="goodbye_thanks")


def _operator(state: State, event: Keys, settings: Settings) -> tuple[State, list[Output]]:
    if not settings.operator_number:
        return state, [_ask_menu(state, settings, (Line("no_operator"),))]
    moment = local(datetime.fromtimestamp(event.at, UTC))
    if not settings.office_hours.is_open(moment):
        closed = Line("operator_closed", {"hours": settings.office_hours_text})
        return state, [_ask_menu(state, settings, (closed,))]
    return (state.evolve(stage=DONE),
            [Say(state.lang, (Line("connecting"),)), Transfer(settings.operator_number)])
