"""Abuse limits in a real Redis: one notice past the sender limit, then silence; a cap per
destination; opt-outs honoured even while silent."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from channels.sms.limits import SmsLimits, Verdict
from lookup.store.schema import phones
from tests.conftest import make_app

SECRET = "test-kannel-secret"


@pytest.fixture
def limited_app(tmp_path, redis_server):
    from lookup import demo

    app = make_app(f"sqlite:///{tmp_path / 't.db'}", redis_server.url, RATELIMIT_ENABLED=True,
                   SMS_RATE_LIMIT="3/hour", SMS_REPLY_LIMIT="5/hour", HOTLINE_NUMBER="1900 0000")
    demo.load(app.extensions["tracuu.service"])
    app.extensions["tracuu.sms.limits"] = SmsLimits(redis_server.url, "3/hour", "5/hour",
                                                    prefix=f"t-{tmp_path.name}")
    yield app
    app.extensions["tracuu.store"].dispose()


def text(client, body: str, sender: str) -> str:
    response = client.get(f"/sms/kannel?secret={SECRET}&from={quote(sender)}&text={quote(body)}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_sender_limit_gives_one_notice_then_silence(limited_app):
    client = limited_app.test_client()
    replies = [text(client, "000.00.04.H40-261102-0001", "84912345001") for _ in range(6)]
    assert all(r.startswith("HS 000.00.04.H40-261102-0001") for r in replies[:3])
    assert replies[3] == "So cua ban gui qua nhieu tin. Vui long thu lai sau hoac goi 1900 0000."
    assert replies[4:] == ["", ""]
    # Another number is not affected.
    assert text(client, "HD", "84912345002").startswith("Soan TC <ma ho so>")


def test_opt_out_is_honoured_while_silent(limited_app):
    client = limited_app.test_client()
    for _ in range(5):
        text(client, "xin chao", "84912345003")
    assert text(client, "HUY", "84912345003") == ""
    with limited_app.extensions["tracuu.store"].connect() as conn:
        assert conn.execute(select(phones.c.opted_out).where(phones.c.phone == "+84912345003")).scalar()


def test_reply_limit_per_destination(redis_server, tmp_path):
    limits = SmsLimits(redis_server.url, "100/hour", "2/hour", prefix=f"r-{tmp_path.name}")
    assert [limits.allow_reply("+84912345004") for _ in range(3)] == [True, True, False]
    assert limits.allow_reply("+84912345005")


def test_verdicts(redis_server, tmp_path):
    limits = SmsLimits(redis_server.url, "2/minute", "", prefix=f"v-{tmp_path.name}")
    got = [limits.check_sender("+84912345006") for _ in range(5)]
    assert got == [Verdict.OK, Verdict.OK, Verdict.NOTICE, Verdict.SILENT, Verdict.SILENT]


def test_redis_down_counts_in_memory(tmp_path):
    from tests.support.servers import free_port

    limits = SmsLimits(f"redis://127.0.0.1:{free_port()}/0", "1/hour", "", prefix="down")
    assert [limits.check_sender("+84912345007") for _ in range(3)] == [Verdict.OK, Verdict.NOTICE,
                                                                      Verdict.SILENT]
