"""A redeploy of the real `flask --app app ivr-asterisk` process, mid-call (issue 12, item 16).

The first process is stopped with SIGTERM (as a deploy stops it) while the caller is keying the
code, and a second one is started: it finds the call's state in Redis, under the channel's
name, and carries the call on. Real processes, a real redis-server, the fake Asterisk."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from pathlib import Path

from lookup import demo
from tests.channels.ivr.conftest import keypad, wait_for
from tests.channels.ivr.test_asterisk import READY_CODE, heard, keys_after, text
from tests.conftest import make_app
from tests.support.fake_ami import HANGUP
from tests.worker.support import FLASK, ROOT


def adapter_process(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen([FLASK, "--app", "app", "ivr-asterisk"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(20)


def test_a_call_carries_on_across_a_redeploy_of_the_adapter(tmp_path, audio_dir, redis_server, fake):
    database = f"sqlite:///{tmp_path / 'tracuu.db'}"
    app = make_app(database)
    demo.load(app.extensions["tracuu.service"])
    app.extensions["tracuu.store"].dispose()
    env = dict(os.environ, DATABASE_URL=database, REDIS_URL=redis_server.url, VAR_DIR=str(tmp_path / "var"),
               SECRET_KEY="test-secret", IVR_AUDIO_DIR=str(audio_dir), ASTERISK_AMI_HOST="127.0.0.1",
               ASTERISK_AMI_PORT=str(fake.port), ASTERISK_AMI_USERNAME="ivr", ASTERISK_AMI_SECRET="ivrsecret",
               IVR_OPERATOR_NUMBER="", PYTHONUNBUFFERED="1")
    log = tmp_path / "ivr.log"
    first = adapter_process(env, log)
    second = None
    release, entered = threading.Event(), threading.Event()
    try:
        fake.wait_logged_in(1, timeout=60)
        call = fake.call("0912000001", ["1", keys_after(release, keypad(READY_CODE) + "#", entered), "1", "1",
                                        HANGUP])
        assert entered.wait(30)
        assert stop(first) == 0
        second = adapter_process(env, log)
        wait_for(lambda: fake.logins >= 2, timeout=60, what="the new process to log in")
        release.set()
        assert call.ended.wait(30), log.read_text()
    finally:
        release.set()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                stop(proc)
    words = heard(call)
    assert [w for w in words if text("try_later") in w] == [], log.read_text()
    assert "0 0 0, 0 0 0, 4 4 4" in words[2]
    assert "UBND phường Thanh Xuân" in words[-1]
    assert text("menu_operator") not in words[3]  # IVR_OPERATOR_NUMBER is empty: none offered
