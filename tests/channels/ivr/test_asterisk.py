"""The Asterisk adapter against a fake Asterisk that speaks recorded AMI bytes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from channels.ivr import prompts
from channels.ivr.asterisk import _Client, parse_env, parse_result
from lookup import messages
from tests.channels.ivr.conftest import CROWD, OPERATOR, STATUSES, crowd_code, keypad, start_adapter, wait_for
from tests.support.fake_ami import HANGUP, FakeAsterisk

READY_CODE = "000.00.04.H40-261102-0001"  # demo: ready, registered to 0912000001


def heard(call) -> list[str]:
    """The words of each prompt the caller heard, from the `.txt` beside each sound file."""
    return [Path(name + ".txt").read_text(encoding="utf-8").strip() for name in call.prompts()]


def text(key: str, lang: str = "vi", **values) -> str:
    return messages.gettext(lang, prompts.MESSAGES[key], **values)


def test_a_whole_call_in_vietnamese(adapter, fake):
    call = fake.call("0912000001", ["1", keypad(READY_CODE) + "#", "1", "1", HANGUP])
    assert call.ended.wait(20)
    words = heard(call)
    assert len(words) == 5
    assert text("welcome") in words[0] and text("choose_en", "en") in words[0]
    assert text("enter_code") in words[1]
    assert "0 0 0, 0 0 0, 4 4 4" in words[2]  # the code read back digit by digit
    assert messages.status_label("ready", "vi") in words[3]
    assert "Cấp giấy khai sinh" in words[3]  # the caller's own phone: proof of ownership
    assert words[4] == words[3]  # 1 repeats
    assert call.commands[1].startswith("GET DATA ") and call.commands[1].endswith(" 8000 40")
    wait_for(lambda: adapter.calls == 0, what="the call to be forgotten")


def test_a_stranger_hears_the_public_tier_only(adapter, fake):
    call = fake.call("0987654321", ["2", keypad(READY_CODE) + "#", "1", HANGUP])
    assert call.ended.wait(20)
    status = heard(call)[3]
    assert messages.status_label("ready", "en") in status
    assert "Birth registration" not in status and "Cấp giấy khai sinh" not in status


def test_25_calls_at_once_each_hear_their_own_dossier(crowd, adapter, fake):
    fake.queue_delay = 0.1  # as Asterisk: commands wait ~100 ms in each channel's queue
    calls = []
    for n in range(1, CROWD + 1):
        lang = "2" if n % 2 else "1"
        calls.append(fake.call(f"09120{n:05d}", [lang, keypad(crowd_code(n)) + "#", "1", HANGUP]))
    for call in calls:
        assert call.ended.wait(30), call.channel
    for n, call in enumerate(calls, start=1):
        lang = "en" if n % 2 else "vi"
        words = heard(call)
        digits = keypad(crowd_code(n))
        assert prompts.speech.digits_aloud(digits) in words[2], n
        assert messages.status_label(STATUSES[n % len(STATUSES)], lang) in words[3], n
        assert "Cấp giấy khai sinh" in words[3] or lang == "en"  # each caller owns theirs
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


def test_an_ami_disconnect_mid_call_gets_an_apology_after_reconnecting(adapter, fake):
    def drop_link():
        fake.drop_connections()
        return "1"
    call = fake.call("0912000001", ["1", drop_link])
    assert call.ended.wait(20)
    assert fake.logins >= 2
    assert text("try_later") in heard(call)[-1]
    assert call.commands[-1] == "HANGUP"
    # and the new link carries new calls
    again = fake.call("0912000001", [HANGUP])
    assert again.ended.wait(10)
    assert len(again.prompts()) == 1


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
