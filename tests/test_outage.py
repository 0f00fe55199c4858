"""A Redis outage is one log line when it starts and one when it ends, whoever notices it
(SMS limits, alert pacing, the worker's housekeeping), not a line or a traceback per call."""

from __future__ import annotations

import logging

from channels.sms.limits import SmsLimits
from outage import REDIS
from redis_connections import connect
from tests.support.servers import RedisServer
from worker.pacing import Pacer


def test_a_redis_outage_is_logged_once_as_it_starts_and_once_as_it_ends(tmp_path, caplog):
    server = RedisServer(tmp_path).start()
    try:
        limits = SmsLimits(server.url, "1000/hour", "1000/hour", prefix="outage")
        pacer = Pacer(connect({"REDIS_URL": server.url}, timeout=0.5, connect_timeout=0.5), "twilio", 1000)
        limits.check_sender("+84912345001")
        pacer.wait_for_slot()
        REDIS.answered()  # whatever an earlier test left behind
        caplog.clear()
        with caplog.at_level(logging.INFO):
            server.stop()
            for _ in range(20):
                limits.check_sender("+84912345001")
                pacer.wait_for_slot()
            server.start()
            for _ in range(5):
                limits.check_sender("+84912345001")
                pacer.wait_for_slot()
    finally:
        server.stop()
    lines = [r for r in caplog.records if r.name == "tracuu.redis"]
    assert [r.getMessage().split(" (")[0] for r in lines] == ["Redis unreachable", "Redis answers again"]
    assert not any(r.exc_info for r in caplog.records)
