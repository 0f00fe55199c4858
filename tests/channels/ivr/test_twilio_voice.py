"""Twilio Voice: the same flow over TwiML webhooks, every answer parsed as XML, forgeries refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from twilio.request_validator import RequestValidator

from channels.ivr import prompts
from lookup import messages
from tests.channels.ivr.conftest import OPERATOR, keypad

TOKEN = "test-auth-token"  # TestConfig.TWILIO_AUTH_TOKEN
BASE = "http://localhost"  # TestConfig.PUBLIC_BASE_URL
READY_CODE = "000.00.04.H40-261102-0001"
CALL = {"CallSid": "CA" + "1" * 32, "AccountSid": "AC" + "0" * 32, "From": "+84912000001",
        "To": "+842400000000"}


def post(client, url: str, form: dict, signature: str | None = None):
    path = url.removeprefix(BASE)
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(BASE + path, form)
    return client.post(path, data=form, headers={"X-Twilio-Signature": signature})


def twiml(response) -> ET.Element:
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    root = ET.fromstring(response.data)
    assert root.tag == "Response"
    return root


class Caller:
    """Walks a call the way Twilio does: follow each <Gather action>, posting the keys."""

    def __init__(self, client, caller: str = "+84912000001") -> None:
        self.client = client
        self.form = {**CALL, "From": caller}
        self.root = twiml(post(client, BASE + "/voice/twilio", self.form))

    @property
    def gather(self) -> ET.Element | None:
        return self.root.find("Gather")

    def press(self, digits: str) -> ET.Element:
        gather = self.gather
        assert gather is not None, ET.tostring(self.root)
        assert gather.get("input") == "dtmf" and gather.get("method") == "POST"
        self.root = twiml(post(self.client, gather.get("action"), {**self.form, "Digits": digits}))
        return self.root

    def heard(self, app) -> list[str]:
        """Words of each <Play> in the current answer, from the `.txt` beside each sound."""
        words = []
        for play in self.root.iter("Play"):
            path = urlsplit(play.text).path
            assert path.startswith("/voice/audio/")
            audio = self.client.get(path)
            assert audio.status_code == 200 and audio.mimetype == "audio/wav"
            assert audio.data[:4] == b"RIFF"
            wav = Path(app.config["IVR_AUDIO_DIR"]) / Path(path).name
            words.append(wav.with_suffix(".txt").read_text(encoding="utf-8").strip())
        return words


def text(key: str, lang: str = "vi") -> str:
    return messages.gettext(lang, prompts.MESSAGES[key])


def test_a_whole_call(ivr_app):
    client = ivr_app.test_client()
    call = Caller(client)
    assert call.gather.get("numDigits") == "1"
    assert call.gather.get("actionOnEmptyResult") == "true"
    assert text("welcome") in call.heard(ivr_app)[0]
    call.press("1")
    assert call.gather.get("finishOnKey") == "#" and call.gather.get("numDigits") is None
    assert text("enter_code") in call.heard(ivr_app)[0]
    call.press(keypad(READY_CODE) + "#")
    assert "0 0 0, 0 0 0, 4 4 4" in call.heard(ivr_app)[0]
    call.press("1")
    status = call.heard(ivr_app)[0]
    assert messages.status_label("ready", "vi") in status and text("menu_details") in status
    call.press("1")
    details = call.heard(ivr_app)[0]
    assert "Cấp giấy khai sinh" in details and "UBND phường Thanh Xuân" in details
    call.press("1")
    assert call.heard(ivr_app)[0] == details
    call.press("0")
    assert call.root.find("Dial").text == OPERATOR
    assert text("connecting") in call.heard(ivr_app)[0]


def test_english_and_a_stranger(ivr_app):
    call = Caller(ivr_app.test_client(), caller="+84987654321")
    call.press("2")
    call.press(keypad(READY_CODE))
    call.press("1")
    status = call.heard(ivr_app)[0]
    assert messages.status_label("ready", "en") in status
    assert "Birth registration" not in status


def test_the_same_flow_as_asterisk_after_the_answer_silence_is_a_polite_goodbye(ivr_app):
    """Issue 12, item 18, on Twilio Voice: the answer, then 1 for the details; silence ends the
    call with thanks; no operator is offered where none is configured."""
    ivr_app.config["IVR_OPERATOR_NUMBER"] = ""
    ivr_app.extensions.pop("tracuu.ivr.driver", None)
    call = Caller(ivr_app.test_client())
    call.press("1")
    call.press(keypad(READY_CODE) + "#")
    call.press("1")
    answer = call.heard(ivr_app)[0]
    assert text("menu_details") in answer and text("menu_operator") not in answer
    root = call.press("")
    assert [child.tag for child in root] == ["Play", "Hangup"]
    assert call.heard(ivr_app)[0] == text("goodbye_thanks")


def test_silence_three_times_says_goodbye_and_hangs_up(ivr_app):
    call = Caller(ivr_app.test_client())
    call.press("1")
    for _ in range(3):
        root = call.press("")
    assert root.find("Gather") is None
    assert [child.tag for child in root] == ["Play", "Hangup"]
    assert text("goodbye_misses") in call.heard(ivr_app)[0]


def test_a_code_that_matches_nothing(ivr_app):
    call = Caller(ivr_app.test_client())
    call.press("1")
    call.press("123456789#")
    call.press("1")
    words = call.heard(ivr_app)[0]
    assert text("not_found") in words and text("enter_code") in words


@pytest.mark.parametrize("digits", ["<Say>hi</Say>", "9" * 5000, "１２３", "\x00\xff", "1&Digits=2"])
def test_hostile_digits_get_a_polite_answer(ivr_app, digits):
    call = Caller(ivr_app.test_client())
    call.press("1")
    root = call.press(digits)
    assert root.find("Gather") is not None


@pytest.mark.parametrize("label, change", [
    ("no signature", lambda url, form: ("", url, form)),
    ("a wrong signature", lambda url, form: ("bm90IGEgc2lnbmF0dXJl", url, form)),
    ("signed for other keys", lambda url, form: (None, url, {**form, "Digits": "1"})),
])
def test_forged_requests_get_403(ivr_app, label, change):
    client = ivr_app.test_client()
    signature, url, form = change(BASE + "/voice/twilio", CALL)
    if signature is None:  # a real signature for the original form, sent with other fields
        signature = RequestValidator(TOKEN).compute_signature(BASE + "/voice/twilio", CALL)
    assert post(client, url, form, signature).status_code == 403, label


def test_a_tampered_state_in_the_action_url_is_refused(ivr_app):
    client = ivr_app.test_client()
    call = Caller(client)
    action = call.gather.get("action")
    forged = action.replace("s=", "s=x", 1)
    # Signed by someone without our SECRET_KEY: Twilio's signature passes, ours does not.
    root = twiml(post(client, forged, {**CALL, "Digits": "1"}))
    assert root.find("Gather") is None and root.find("Hangup") is not None
    # And a request Twilio did not sign for that URL is refused outright.
    signature = RequestValidator(TOKEN).compute_signature(action, {**CALL, "Digits": "1"})
    assert post(client, forged, {**CALL, "Digits": "1"}, signature).status_code == 403


def test_without_an_auth_token_nothing_is_trusted(tmp_path, audio_dir):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", TWILIO_AUTH_TOKEN="", IVR_AUDIO_DIR=audio_dir)
    try:
        assert post(app.test_client(), BASE + "/voice/twilio", CALL).status_code == 403
    finally:
        app.extensions["tracuu.store"].dispose()


@pytest.mark.parametrize("name", ["secret_key", "vi-zz", "xx-" + "0" * 24, "vi-" + "g" * 24,
                                  "vi-" + "0" * 24])
def test_audio_names_are_checked(ivr_app, name):
    assert ivr_app.test_client().get(f"/voice/audio/{name}.wav").status_code == 404


def test_without_espeak_the_words_are_said_by_twilio(tmp_path, monkeypatch):
    from tests.conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'x.db'}", IVR_AUDIO_DIR=tmp_path / "audio")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    try:
        root = twiml(post(app.test_client(), BASE + "/voice/twilio", CALL))
        says = root.find("Gather").findall("Say")
        assert [s.get("language") for s in says] == ["vi-VN", "en-US"]
        assert text("welcome") in says[0].text
    finally:
        app.extensions["tracuu.store"].dispose()


def _readable(token: str) -> str:
    """Everything a log reader could decode from a token: itself and its base64 bodies."""
    import base64

    seen = [token]
    for part in token.split("."):
        for candidate in (part, part + "=" * (-len(part) % 4)):
            try:
                seen.append(base64.urlsafe_b64decode(candidate).decode("latin-1"))
            except ValueError:
                pass
    return "\n".join(seen)


def test_the_state_in_urls_reveals_neither_the_caller_nor_the_keys(ivr_app):
    from urllib.parse import parse_qs

    client = ivr_app.test_client()
    call = Caller(client, caller="+84912000001")
    call.press("1")
    call.press(keypad(READY_CODE) + "#")
    token = parse_qs(urlsplit(call.gather.get("action")).query)["s"][0]
    readable = _readable(token)
    for secret in ("84912000001", "912000001", keypad(READY_CODE), "caller", "digits"):
        assert secret not in readable


def test_a_state_from_another_call_is_refused(ivr_app):
    client = ivr_app.test_client()
    call = Caller(client)
    action = call.gather.get("action")
    other_call = {**CALL, "CallSid": "CA" + "2" * 32, "Digits": "1"}
    root = twiml(post(client, action, other_call))
    assert root.find("Gather") is None and root.find("Hangup") is not None
