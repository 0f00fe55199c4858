"""The Asterisk adapter against a fake Asterisk that speaks recorded AMI bytes."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from channels.ivr import build_driver, prompt_store, prompts
from channels.ivr.asterisk import AsteriskAdapter, _Client, parse_env, parse_result
from lookup import messages
from tests.channels.ivr.conftest import (
    CROWD,
    OPERATOR,
    STATUSES,
    call_states,
    crowd_code,
    keypad,
    start_adapter,
    wait_for,
)
from tests.support.fake_ami import HANGUP, FakeAsterisk

READY_CODE = "000.00.04.H40-261102-0001"  # demo: ready, registered to 0912000001


def heard(call) -> list[str]:
    """The words of each prompt the caller heard, from the `.txt` beside each sound file."""
    return [Path(name + ".txt").read_text(encoding="utf-8").strip() for name in call.prompts()]


def text(key: str, lang: str = "vi", **values) -> str:
    return messages.gettext(lang, prompts.MESSAGES[key], **values)


def test_a_whole_call_in_vietnamese(adapter, fake):
    call = fake.call("0912000001", ["1", keypad(READY_CODE) + "#", "1", "1", "1", HANGUP])
    assert call.ended.wait(20)
    words = heard(call)
    assert len(words) == 6
    assert text("welcome") in words[0] and text("choose_en", "en") in words[0]
    assert text("enter_code") in words[1]
    assert "0 0 0, 0 0 0, 4 4 4" in words[2]  # the code read back digit by digit
    assert messages.status_label("ready", "vi") in words[3] and text("menu_details") in words[3]
    assert "UBND phường Thanh Xuân" not in words[3]  # the answer first, short
    assert "UBND phường Thanh Xuân" in words[4] and "Mang theo CCCD" in words[4]  # 1: the details
    assert "Cấp giấy khai sinh" in words[4]  # the caller's own phone: proof of ownership
    assert words[5] == words[4]  # 1 again repeats them
    assert call.commands[1].startswith("GET DATA ") and call.commands[1].endswith(" 8000 40")
    wait_for(lambda: adapter.calls == 0, what="the call to be forgotten")


def test_a_stranger_hears_the_public_tier_only(adapter, fake):
    call = fake.call("0987654321", ["2", keypad(READY_CODE) + "#", "1", "1", HANGUP])
    assert call.ended.wait(20)
    status, details = heard(call)[3:5]
    assert messages.status_label("ready", "en") in status
    for words in (status, details):
        assert "Birth registration" not in words and "Cấp giấy khai sinh" not in words


def test_silence_after_the_answer_is_a_polite_goodbye(adapter, fake):
    call = fake.call("0912000001", ["1", keypad(READY_CODE) + "#", "1", ""])
    assert call.ended.wait(20)
    assert heard(call)[-1] == text("goodbye_thanks")
    assert call.commands[-1] == "HANGUP"


def test_25_calls_at_once_each_hear_their_own_dossier(crowd, adapter, fake):
    fake.queue_delay = 0.1  # as Asterisk: commands wait ~100 ms in each channel's queue
    calls = []
    for n in range(1, CROWD + 1):
        lang = "2" if n % 2 else "1"
        calls.append(fake.call(f"09120{n:05d}", [lang, keypad(crowd_code(n)) + "#", "1", "1", HANGUP]))
    for call in calls:
        assert call.ended.wait(30), call.channel
    for n, call in enumerate(calls, start=1):
        lang = "en" if n % 2 else "vi"
        words = heard(call)
        digits = keypad(crowd_code(n))
        assert prompts.speech.digits_aloud(digits) in words[2], n
        assert messages.status_label(STATUSES[n % len(STATUSES)], lang) in words[3], n
        assert "Cấp giấy khai sinh" in words[4] or lang == "en"  # each caller owns theirs
    wait_for(lambda: adapter.calls == 0, what="every call to be forgotten")


def test_operator_in_office_hours_leaves_agi_with_the_number_set(adapter, fake):
    call = fake.call("0912000001", ["1", keypad(READY_CODE) + "#", "1", "0"])
    assert call.ended.wait(20)
    assert call.commands[-2:] == [f"SET VARIABLE IVR_TRANSFER {OPERATOR}", "ASYNCAGI BREAK"]
    assert text("connecting") in heard(call)[-1]


@pytest.mark.parametrize("script, prompts_heard", [
    ([HANGUP], 1),  # during the greeting
    (["1", HANGUP], 2),  # while keying the code
    (["1", "123456", HANGUP], 3),  # during the read-back
])
def test_a_hang_up_at_any_moment(adapter, fake, script, prompts_heard):
    call = fake.call("0912000001", script)
    assert call.ended.wait(20)
    assert len(call.prompts()) == prompts_heard
    wait_for(lambda: adapter.calls == 0, what="the call to be forgotten")
    assert call.commands[-1].startswith("GET DATA")  # nothing sent after the hang-up


def test_a_hang_up_between_commands(adapter, fake):
    call = fake.call("0912000001", ["1"])
    wait_for(lambda: len(call.commands) >= 2, what="the code question")
    call.hang_up()
    assert call.ended.wait(10)
    wait_for(lambda: adapter.calls == 0, what="the call to be forgotten")


def test_silence_three_times_is_a_polite_goodbye(adapter, fake):
    call = fake.call("0912000001", ["1", "", "", ""])
    assert call.ended.wait(20)
    assert text("goodbye_misses") in heard(call)[-1]
    assert call.commands[-1] == "HANGUP"


def test_a_refused_login_is_retried_with_backoff(ivr_app, fake):
    fake.secret = "changed"
    adapter = start_adapter(ivr_app, fake)
    try:
        wait_for(lambda: fake.failed_logins >= 2, what="two failed logins")
        assert not adapter.connected.is_set()
        fake.secret = "ivrsecret"
        assert adapter.connected.wait(10)
    finally:
        adapter.stop()


def test_a_quiet_line_does_not_stop_the_reader(ivr_app, fake):
    # asterisk-ami's own client stops reading after `timeout` seconds without a byte.
    adapter = start_adapter(ivr_app, fake, timeout=0.2, keepalive=60)
    try:
        assert adapter.connected.wait(5)
        time.sleep(0.6)
        call = fake.call("0912000001", [HANGUP])
        assert call.ended.wait(10)
        assert len(call.prompts()) == 1
    finally:
        adapter.stop()


def test_a_failing_callback_does_not_kill_the_reader(fake):
    client = _Client(address="127.0.0.1", port=fake.port, timeout=2)
    client.connect()
    try:
        assert not client.send_action(_login()).response.is_error()

        def broken(response):
            raise RuntimeError("a bug in a callback")
        from asterisk.ami import Action
        client.send_action(Action("Ping", {"ActionID": "p-1"}), callback=broken)
        assert client.send_action(Action("Ping", {"ActionID": "p-2"})).response.keys["Ping"] == "Pong"
    finally:
        client.disconnect()


def _login():
    from asterisk.ami import Action
    return Action("Login", {"ActionID": "login-1", "Username": "ivr", "Secret": "ivrsecret"})


@pytest.mark.parametrize("encoded, expected", [
    ("200%20result%3D4271%0A", (200, "4271", "")),
    ("200%20result%3D%20(timeout)%0A", (200, "", "(timeout)")),
    ("200%20result%3D5%20(timeout)%0A", (200, "5", "(timeout)")),
    ("200%20result%3D-1%0A", (200, "-1", "")),
    ("200%20result%3D0%20endpos%3D3520%0A", (200, "0", "endpos=3520")),
    ("510%20Invalid%20or%20unknown%20command%0A", (510, "", "Invalid or unknown command")),
])
def test_results_are_read_as_asterisk_writes_them(encoded, expected):
    assert parse_result(encoded) == expected


def test_env_is_read_as_asterisk_writes_it():
    env = parse_env("agi_request%3A%20async%0Aagi_channel%3A%20Local%2Fs%40ivr-00000004%3B2%0A"
                    "agi_callerid%3A%205551234%0Aagi_accountcode%3A%20%0A%0A")
    assert env["agi_channel"] == "Local/s@ivr-00000004;2"
    assert env["agi_callerid"] == "5551234"


def test_the_fake_keeps_calls_across_a_disconnect():
    server = FakeAsterisk(queue_delay=0).start()
    try:
        call = server.call("1", [])
        server.drop_connections()
        assert not call.ended.is_set()
    finally:
        server.stop()


def test_callers_who_arrived_while_we_were_away_are_started(ivr_app, fake):
    # Nobody is logged in: the AsyncAGIStart of this call goes to no one, as on a real switch.
    call = fake.call("0912000001", ["1", HANGUP])
    adapter = start_adapter(ivr_app, fake)
    try:
        assert call.ended.wait(20)
        words = heard(call)
        assert text("welcome") in words[0] and text("enter_code") in words[1]
    finally:
        adapter.stop()


def test_a_switch_that_cannot_read_the_prompts_ends_the_call(adapter, fake):
    fake.sees_our_disk = False
    call = fake.call("0912000001", ["1"])
    assert call.ended.wait(20)
    assert call.results[0] == "200 result=-1"  # GET DATA of a missing file, as in the recordings
    assert call.commands[-1] == "HANGUP"
    wait_for(lambda: adapter.calls == 0, what="the call to be forgotten")


def test_the_maximum_call_length_ends_the_call_politely(ivr_app, fake):
    ivr_app.config["IVR_MAX_CALL_SECONDS"] = 0  # the clock is fixed: any turn is over the limit
    adapter = start_adapter(ivr_app, fake)
    try:
        assert adapter.connected.wait(5)
        call = fake.call("0912000001", ["1"])
        assert call.ended.wait(20)
        assert text("time_limit") in heard(call)[-1]
        assert call.commands[-1] == "HANGUP"
    finally:
        adapter.stop()


def test_a_hang_up_during_a_prompt_is_logged_as_info(adapter, fake, caplog):
    """Issue 12, item 19: a caller who hangs up while a prompt plays is nothing to warn about."""
    caplog.set_level(logging.INFO, logger="channels.ivr")
    call = fake.call("0912000001", ["1", HANGUP])
    assert call.ended.wait(20)
    wait_for(lambda: adapter.calls == 0, what="the call to be forgotten")
    records = [r for r in caplog.records if r.name.startswith("channels.ivr")]
    assert any(r.levelno == logging.INFO and "hung up during a prompt" in r.getMessage() for r in records)
    assert not [r for r in records if r.levelno >= logging.WARNING]


def test_a_switch_that_cannot_play_the_prompts_is_an_error_not_a_hang_up(adapter, fake, caplog):
    """Issue 12, item 17: GET DATA answers -1 both when the caller hangs up and when Asterisk
    cannot read the file; the caller still on the line tells them apart, and the log says so."""
    caplog.set_level(logging.INFO, logger="channels.ivr")
    fake.sees_our_disk = False
    call = fake.call("0912000001", ["1"])
    assert call.ended.wait(20)
    wait_for(lambda: adapter.calls == 0, what="the call to be forgotten")
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("could not play" in m and "IVR_AUDIO_DIR" in m for m in errors), errors
    assert not any("hung up during a prompt" in r.getMessage() for r in caplog.records)


def test_an_audio_directory_the_switch_cannot_enter_is_an_error_at_start_up(ivr_app, fake, tmp_path, caplog):
    locked = tmp_path / "audio"
    locked.mkdir(mode=0o700)
    ivr_app.config["IVR_AUDIO_DIR"] = locked
    adapter = start_adapter(ivr_app, fake)
    try:
        assert adapter.connected.wait(5)
    finally:
        adapter.stop()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("cannot be entered by" in m and str(locked) in m for m in errors), errors


def test_a_readable_audio_directory_raises_no_error(adapter, caplog):
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_refused_channel_list_is_an_error_at_start_up(ivr_app, caplog):
    """Issue 12, item 15: with `write = agi` only, CoreShowChannels is refused; say what to add."""
    server = FakeAsterisk(queue_delay=0.0, login_failure_delay=0.05, refuse={"CoreShowChannels"}).start()
    adapter = start_adapter(ivr_app, server)
    try:
        assert adapter.connected.wait(5)
    finally:
        adapter.stop()
        server.stop()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("CoreShowChannels refused (Permission denied)" in m and "write = agi,reporting" in m
               for m in errors), errors


def test_the_reconnect_backoff_never_exceeds_five_seconds(ivr_app):
    adapter = AsteriskAdapter(build_driver(ivr_app), prompt_store(ivr_app), "127.0.0.1", 9, "ivr", "x")
    delays = [adapter._delay(failures) for failures in range(1, 60) for _ in range(20)]
    assert max(delays) <= 5.0 and min(delays) < 1.0


# Issue 12, item 16: a short outage or a redeploy no longer ends the calls in progress.

def keys_after(event: threading.Event, keyed: str, entered: threading.Event | None = None):
    """A script item: the caller keys `keyed` once `event` is set (the test arranges an outage
    meanwhile)."""
    def key():
        if entered is not None:
            entered.set()
        assert event.wait(20), "the test never let the caller key"
        return keyed
    return key


def test_a_call_carries_on_when_the_link_drops_while_the_caller_listens(adapter, fake):
    relogged = threading.Event()
    code = keypad(READY_CODE) + "#"

    def drop_while_keying():
        fake.drop_connections()
        wait_for(lambda: fake.logins >= 2, what="the adapter to log in again")
        return code
    call = fake.call("0912000001", ["1", drop_while_keying, "1", "1", HANGUP])
    assert call.ended.wait(30)
    words = heard(call)
    assert [w for w in words if text("try_later") in w] == []
    assert text("enter_code") in words[1] and "0 0 0, 0 0 0, 4 4 4" in words[2]
    assert "UBND phường Thanh Xuân" in words[4]
    assert not relogged.is_set() and fake.logins >= 2


@pytest.mark.parametrize("refuse", [(), ("CoreShowChannels",)])
def test_keys_lost_while_the_link_was_down_are_asked_for_again(ivr_app, refuse, caplog):
    """The caller keyed while nobody was logged in: that result is gone. The adapter notices
    (its UNIQUEID probe answers before any result) and plays the question again. Without
    CoreShowChannels too: the call is known from memory and Redis."""
    caplog.set_level(logging.INFO, logger="channels.ivr")
    server = FakeAsterisk(queue_delay=0.0, login_failure_delay=0.05, refuse=refuse).start()
    adapter = start_adapter(ivr_app, server)
    code = keypad(READY_CODE) + "#"
    try:
        assert adapter.connected.wait(5)

        def key_while_locked_out():
            server.secret = "locked-out"  # the adapter cannot log in again for now
            server.drop_connections()
            return code
        call = server.call("0912000001", ["1", key_while_locked_out, code, "1", HANGUP])
        wait_for(lambda: len(call.results) >= 2, what="the keys to be lost")
        server.secret = "ivrsecret"
        assert call.ended.wait(30)
        words = heard(call)
        assert text("enter_code") in words[1] and text("enter_code") in words[2]  # asked again
        assert "0 0 0, 0 0 0, 4 4 4" in words[3]
        assert messages.status_label("ready", "vi") in words[4]
        assert "PROBE" not in "".join(call.commands) and "GET VARIABLE UNIQUEID" in call.commands
        assert any("played again" in r.getMessage() for r in caplog.records)
    finally:
        adapter.stop()
        server.stop()


@pytest.mark.parametrize("lost", [False, True])
def test_a_redeployed_adapter_carries_the_call_on(ivr_app, fake, lost):
    """Adapter A is stopped mid-call and B, a new one with nothing in memory, logs in: the call's
    state in Redis lets B carry it on, whether the caller's keys reach B or were lost between."""
    prefix = f"test-redeploy-{lost}-{time.time_ns()}:"
    first = start_adapter(ivr_app, fake, states=call_states(ivr_app, prefix))
    assert first.connected.wait(5)
    release, entered = threading.Event(), threading.Event()
    code = keypad(READY_CODE) + "#"
    script = ["1", keys_after(release, code, entered)] + ([code] if lost else []) + ["1", "1", HANGUP]
    call = fake.call("0912000001", script)
    second = None
    try:
        assert entered.wait(20)
        first.stop()
        if lost:
            release.set()
            wait_for(lambda: len(call.results) >= 2, what="the keys to be lost")
        second = start_adapter(ivr_app, fake, states=call_states(ivr_app, prefix))
        assert second.connected.wait(5)
        release.set()
        assert call.ended.wait(30)
    finally:
        release.set()
        if second is not None:
            second.stop()
    words = heard(call)
    assert [w for w in words if text("try_later") in w] == []
    assert len(words) == (6 if lost else 5)
    assert text("enter_code") in words[2] if lost else "0 0 0, 0 0 0, 4 4 4" in words[2]
    assert messages.status_label("ready", "vi") in words[-2]
    assert "UBND phường Thanh Xuân" in words[-1]
