"""Table tests of the pure call flow: keys in, prompts (as message keys) and actions out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.ivr import flow, hours
from channels.ivr.flow import Ask, Found, Hangup, HungUp, Keys, Lookup, Match, Say, Start, State, Transfer

FRIDAY_10 = datetime(2026, 11, 20, 3, 0, tzinfo=UTC).timestamp()  # 10:00 in Hà Nội
FRIDAY_20 = datetime(2026, 11, 20, 13, 0, tzinfo=UTC).timestamp()  # 20:00
SETTINGS = flow.Settings(operator_number="+842438580000", office_hours=hours.parse("Mon-Fri 07:30-17:00"),
                         office_hours_text="Mon-Fri 07:30-17:00", max_call_seconds=300)
CODE = "00000044402611020001"
MATCH = Match(code="000.00.04.H40-261102-0001", status="processing", due="2026-11-25", overdue=False,
              final=False, office_vi="UBND phường Thanh Xuân", office_en="Thanh Xuan Ward",
              address="9 Khuất Duy Tiến", hours="Thứ Hai–Thứ Sáu 8:00–17:00")
MINE = Match(**{**MATCH.__dict__, "code": "X-2", "proven": True, "procedure_vi": "Khai sinh"})
HANGUP = object()


def keys(text: str) -> Keys:
    return Keys(text, FRIDAY_10 + 10)


def run(script, settings=SETTINGS, start_at=FRIDAY_10):
    """Feed a script of events (str = keys, tuple = lookup result); return states and outputs."""
    state, outputs = flow.step(State(), Start("0912000001", start_at), settings)
    trail = [(state, outputs)]
    for item in script:
        if isinstance(item, tuple):
            event = Found(item, start_at + 10)
        elif item is HANGUP:
            event = HungUp()
        elif isinstance(item, Keys):
            event = item
        else:
            event = Keys(item, start_at + 10)
        state, outputs = flow.step(state, event, settings)
        trail.append((state, outputs))
    return trail


def shape(outputs) -> list[str]:
    """Outputs as short strings: `ask:key+key`, `say:key`, `lookup:digits`, `transfer:n`, `hangup`."""
    result = []
    for out in outputs:
        if isinstance(out, Ask):
            result.append("ask:" + "+".join(line.key for line in out.lines))
        elif isinstance(out, Say):
            result.append("say:" + "+".join(line.key for line in out.lines))
        elif isinstance(out, Lookup):
            result.append(f"lookup:{out.digits}")
        elif isinstance(out, Transfer):
            result.append(f"transfer:{out.number}")
        elif isinstance(out, Hangup):
            result.append("hangup")
    return result


LANG = "ask:welcome+choose_vi+choose_en"
ENTER = "ask:enter_code"
CONFIRM = "ask:read_back+confirm_menu"
MENU = "menu_details+menu_another+menu_operator"
ANSWER = f"ask:answer+{MENU}"
DETAILS = "ask:details+menu_again+menu_another+menu_operator"
BYE = ["say:goodbye_misses", "hangup"]
THANKS = ["say:goodbye_thanks", "hangup"]


@pytest.mark.parametrize("label, script, expected_last, stage, lang", [
    ("greeting asks the language", [], [LANG], flow.LANGUAGE, "vi"),
    ("1 is Vietnamese", ["1"], [ENTER], flow.CODE, "vi"),
    ("2 is English", ["2"], [ENTER], flow.CODE, "en"),
    ("silence at the language question is Vietnamese", [""], [ENTER], flow.CODE, "vi"),
    ("a wrong key at the language question asks again", ["7"],
     ["ask:invalid_key+welcome+choose_vi+choose_en"], flow.LANGUAGE, "vi"),
    ("three wrong keys at the language question say goodbye", ["7", "8", "9"], BYE, flow.DONE, "vi"),
    ("a code is read back", ["1", CODE], [CONFIRM], flow.CONFIRM, "vi"),
    ("a code without # (timeout after digits) is read back too", ["1", "123456"], [CONFIRM],
     flow.CONFIRM, "vi"),
    ("silence at the code", ["1", ""], ["ask:no_input+enter_code"], flow.CODE, "vi"),
    ("a code too short", ["1", "12345"], ["ask:too_short+enter_code"], flow.CODE, "vi"),
    ("a code too long", ["1", "1" * 70], ["ask:too_long+enter_code"], flow.CODE, "vi"),
    ("three silent tries at the code say goodbye", ["1", "", "", ""], BYE, flow.DONE, "vi"),
    ("silent, short, silent: goodbye", ["1", "", "123", ""], BYE, flow.DONE, "vi"),
    ("* alone starts the code over, not a miss", ["1", "*"], [ENTER], flow.CODE, "vi"),
    ("* in the middle: what follows is the code", ["1", "999*" + CODE], [CONFIRM], flow.CONFIRM, "vi"),
    ("stars never count as misses", ["1", "*", "*", "*", "*"], [ENTER], flow.CODE, "vi"),
    ("1 confirms and looks up", ["1", CODE, "1"], [f"lookup:{CODE}"], flow.LOOKUP, "vi"),
    ("2 keys it again", ["1", CODE, "2"], [ENTER], flow.CODE, "vi"),
    ("* at the confirmation keys it again", ["1", CODE, "*"], [ENTER], flow.CODE, "vi"),
    ("a wrong key at the confirmation", ["1", CODE, "5"], ["ask:invalid_key+read_back+confirm_menu"],
     flow.CONFIRM, "vi"),
    ("silence at the confirmation", ["1", CODE, ""], ["ask:no_input+read_back+confirm_menu"],
     flow.CONFIRM, "vi"),
    ("three silences at the confirmation say goodbye", ["1", CODE, "", "", ""], BYE, flow.DONE, "vi"),
    ("a code that matches nothing", ["1", CODE, "1", ()], ["ask:not_found+enter_code"], flow.CODE, "vi"),
    ("three codes that match nothing say goodbye",
     ["1", CODE, "1", (), CODE, "1", (), CODE, "1", ()], BYE, flow.DONE, "vi"),
    ("a miss at the code then two unknown codes: goodbye",
     ["1", "", CODE, "1", (), CODE, "1", ()], BYE, flow.DONE, "vi"),
    ("found: the short answer, then the menu", ["1", CODE, "1", (MATCH,)], [ANSWER], flow.MENU, "vi"),
    ("English answer", ["2", CODE, "1", (MATCH,)], [ANSWER], flow.MENU, "en"),
    ("two matches are both answered", ["1", CODE, "1", (MATCH, MINE)],
     [f"ask:several+answer+answer+{MENU}"], flow.MENU, "vi"),
    ("1 after the answer gives the details", ["1", CODE, "1", (MATCH,), "1"], [DETAILS], flow.MENU, "vi"),
    ("1 after the details repeats them", ["1", CODE, "1", (MATCH,), "1", "1"], [DETAILS], flow.MENU, "vi"),
    ("2 asks for another dossier", ["1", CODE, "1", (MATCH,), "2"], [ENTER], flow.CODE, "vi"),
    ("2 after the details asks for another dossier", ["1", CODE, "1", (MATCH,), "1", "2"], [ENTER],
     flow.CODE, "vi"),
    ("0 in office hours transfers", ["1", CODE, "1", (MATCH,), "0"],
     ["say:connecting", "transfer:+842438580000"], flow.DONE, "vi"),
    ("a wrong key at the menu", ["1", CODE, "1", (MATCH,), "8"], [f"ask:invalid_key+{MENU}"], flow.MENU,
     "vi"),
    ("silence after the answer is a polite goodbye", ["1", CODE, "1", (MATCH,), ""], THANKS, flow.DONE,
     "vi"),
    ("silence after the details is a polite goodbye", ["1", CODE, "1", (MATCH,), "1", ""], THANKS,
     flow.DONE, "vi"),
    ("three wrong keys at the menu: a polite goodbye", ["1", CODE, "1", (MATCH,), "8", "8", "8"], THANKS,
     flow.DONE, "vi"),
    ("a hang-up ends the call quietly", ["1", HANGUP], [], flow.DONE, "vi"),
    ("a hang-up mid-code ends the call quietly", ["1", CODE, HANGUP], [], flow.DONE, "vi"),
])
def test_flow(label, script, expected_last, stage, lang):
    state, outputs = run(script)[-1]
    assert shape(outputs) == expected_last, label
    assert state.stage == stage
    assert state.lang == lang


def test_the_registered_phone_comes_first():
    state, outputs = run(["1", CODE, "1", (MATCH, MINE)])[-1]
    assert [m.code for m in state.matches] == ["X-2", MATCH.code]
    dossiers = [line for line in outputs[0].lines if line.key == "answer"]
    assert dossiers[0].values["match"].proven is True


def test_the_operator_outside_office_hours_is_said_so():
    state, outputs = run(["1", CODE, "1", (MATCH,), "0"], start_at=FRIDAY_20)[-1]
    assert shape(outputs) == [f"ask:operator_closed+{MENU}"]
    assert outputs[0].lines[0].values == {"hours": "Mon-Fri 07:30-17:00"}
    assert state.stage == flow.MENU


def test_no_operator_configured_none_is_offered():
    settings = flow.Settings("", SETTINGS.office_hours, "", 300)
    trail = run(["1", CODE, "1", (MATCH,), "1", "0"], settings=settings)
    assert [shape(outputs) for _state, outputs in trail[-3:]] == [
        ["ask:answer+menu_details+menu_another"], ["ask:details+menu_again+menu_another"],
        ["ask:no_operator+menu_again+menu_another"]]
    assert not any(line.key == "menu_operator" for prompt in flow.static_prompts(settings)
                   for line in prompt.lines)


def test_the_answer_says_the_due_date_without_this_year():
    _state, outputs = run(["1", CODE, "1", (MATCH,)])[-1]
    [answer] = [line for line in outputs[0].lines if line.key == "answer"]
    assert answer.values["year"] == 2026


@pytest.mark.parametrize("elapsed, expected", [
    (299, [ENTER]),
    (300, ["say:time_limit", "hangup"]),
    (4000, ["say:time_limit", "hangup"]),
])
def test_maximum_call_length(elapsed, expected):
    _state, outputs = run([Keys("1", FRIDAY_10 + elapsed)])[-1]
    assert shape(outputs) == expected


def test_keys_before_any_greeting_start_the_call():
    state, outputs = flow.step(State(), Keys("1", FRIDAY_10), SETTINGS)
    assert shape(outputs) == [LANG] and state.stage == flow.LANGUAGE


def test_a_finished_call_only_hangs_up():
    state, outputs = run(["1", "", "", "", "1"])[-1]
    assert shape(outputs) == ["hangup"]


@pytest.mark.parametrize("stage_keys, timeout, max_digits, finish", [
    ([], flow.LANGUAGE_TIMEOUT, 1, ""),
    (["1"], flow.CODE_TIMEOUT, flow.MAX_CODE_DIGITS, "#"),
    (["1", CODE], flow.CHOICE_TIMEOUT, 1, ""),
])
def test_questions_collect_keys_as_expected(stage_keys, timeout, max_digits, finish):
    ask = run(stage_keys)[-1][1][-1]
    assert (ask.timeout, ask.max_digits, ask.finish_on_key) == (timeout, max_digits, finish)


def test_state_survives_a_round_trip_through_plain_data():
    state, _ = run(["1", CODE, "1", (MATCH, MINE)])[-1]
    assert State.from_dict(state.to_dict()) == state


@pytest.mark.parametrize("data", [{"stage": "nowhere"}, {"bogus": 1}, {"matches": [{"x": 1}]}])
def test_state_from_foreign_data_is_refused(data):
    with pytest.raises((ValueError, TypeError, KeyError)):
        State.from_dict(data)


def test_static_prompts_have_no_caller_values():
    for prompt in flow.static_prompts():
        assert all(line.key not in ("answer", "details", "read_back") for line in prompt.lines)


def test_every_menu_offers_the_operator_when_there_is_one():
    menus = [p for p in flow.static_prompts(SETTINGS) if any(line.key == "menu_another" for line in p.lines)]
    assert menus and all(p.lines[-1].key == "menu_operator" for p in menus)
