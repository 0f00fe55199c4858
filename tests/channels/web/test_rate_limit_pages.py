"""Too many lookups: a friendly page in the reader's language, one budget with the JSON API."""

from __future__ import annotations

import random
import uuid

import pytest

from lookup import demo as demo_data
from lookup import qr
from tests.channels.web.htmlcheck import find_all, parse_page, text_of
from tests.conftest import make_app

READY = "000.00.04.H40-261102-0001"


@pytest.fixture
def limited_app(tmp_path, redis_server):
    app = make_app(f"sqlite:///{tmp_path / 'rl.db'}", redis_url=redis_server.url,
                   RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="3/minute",
                   RATELIMIT_KEY_PREFIX=f"t{uuid.uuid4().hex}")
    demo_data.load(app.extensions["tracuu.service"])
    yield app
    app.extensions["tracuu.store"].dispose()


def test_rate_limited_lookups_get_a_friendly_page(limited_app):
    client = limited_app.test_client()
    # A client address of its own: the limiter is one object for every app the tests build.
    client.environ_base["REMOTE_ADDR"] = "127." + ".".join(str(random.randrange(1, 255)) for _ in "xyz")
    # Two lookups through the JSON API and one through the page use up the shared budget.
    assert client.get("/api/v1/lookup", query_string={"code": READY}).status_code == 200
    assert client.get("/api/v1/lookup", query_string={"code": READY}).status_code == 200
    assert client.post("/tra-cuu", data={"code": READY}).status_code == 303

    limited = client.post("/tra-cuu?lang=en", data={"code": READY})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    tree = parse_page(limited.data, "en")
    assert text_of(next(find_all(tree, "h1"))) == "Please wait a moment"
    # How long, from Retry-After, in words.
    wait = int(limited.headers["Retry-After"])
    said = "Please wait a second" if wait == 1 else f"Please wait {wait} seconds, then try again."
    assert said in text_of(tree)
    assert "Too many lookups from your connection" in text_of(tree)
    assert "8077" in text_of(tree)  # and how else to ask

    forged = client.get(f"/d/{qr.make_token(READY, 'not-our-secret')}")
    assert forged.status_code == 429
    assert text_of(next(find_all(parse_page(forged.data, "en"), "h1"))) == "Please wait a moment"
    vietnamese = client.post("/tra-cuu?lang=vi", data={"code": READY})
    assert text_of(next(find_all(parse_page(vietnamese.data, "vi"), "h1"))) == "Vui lòng đợi một lát"
    api = client.get("/api/v1/lookup", query_string={"code": READY})
    assert api.status_code == 429 and api.is_json
    assert 1 <= int(api.headers["Retry-After"]) <= 60
    # The form resolves nothing and is not counted; the statistics, which scan, are.
    assert client.get("/").status_code == 200
    stats_page = client.get("/thong-ke?lang=en")
    assert stats_page.status_code == 429 and int(stats_page.headers["Retry-After"]) >= 1
    assert text_of(next(find_all(parse_page(stats_page.data, "en"), "h1"))) == "Please wait a moment"
    assert client.get("/thong-ke.csv").status_code == 429


def test_a_qr_link_that_opens_its_dossier_spends_no_lookups(limited_app):
    client = limited_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127." + ".".join(str(random.randrange(1, 255)) for _ in "xyz")
    secret = limited_app.config["SECRET_KEY"]
    # A commune office's Wi-Fi: many receipts scanned from one address, each opens.
    for _ in range(10):
        scanned = client.get(f"/d/{qr.make_token(READY, secret)}")
        assert scanned.status_code == 200 and b'class="timeline"' in scanned.data
    # The budget is whole: three typed lookups, then the fourth is refused.
    for _ in range(3):
        assert client.post("/tra-cuu", data={"code": READY}).status_code == 303
    assert client.post("/tra-cuu", data={"code": READY}).status_code == 429
    # Spent by typing, the receipt still opens.
    assert client.get(f"/d/{qr.make_token(READY, secret)}").status_code == 200


def test_a_qr_link_that_opens_nothing_counts_as_a_lookup(limited_app):
    service = limited_app.extensions["tracuu.service"]
    client = limited_app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127." + ".".join(str(random.randrange(1, 255)) for _ in "xyz")
    voided = qr.make_token(READY, limited_app.config["SECRET_KEY"])
    service.reissue(READY, "000.00.04.H40")
    tries = [voided, qr.make_token(READY, "not-our-secret"), voided[:-2] + "xx"]
    for token in tries:  # voided by a reissue, forged, edited
        assert client.get(f"/d/{token}").status_code == 404
    assert client.get(f"/d/{tries[1]}").status_code == 429
    assert client.post("/tra-cuu", data={"code": READY}).status_code == 429


def test_every_address_of_one_ipv6_64_shares_one_budget(limited_app):
    prefix = f"2001:db8:{random.randrange(65536):x}:{random.randrange(65536):x}"
    for n in range(3):
        client = limited_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"{prefix}:{n}::{n + 1}"
        assert client.post("/tra-cuu", data={"code": READY}).status_code == 303
    client = limited_app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"{prefix}:ffff:ffff:ffff:fffe"
    assert client.post("/tra-cuu", data={"code": READY}).status_code == 429
    # The next /64 has a budget of its own.
    neighbour = limited_app.test_client()
    neighbour.environ_base["REMOTE_ADDR"] = f"2001:db8:ffff:{random.randrange(65536):x}::1"
    assert neighbour.post("/tra-cuu", data={"code": READY}).status_code == 303


def test_an_allowed_lookup_costs_one_redis_round_trip_for_both_limits(tmp_path, redis_server):
    import redis

    app = make_app(f"sqlite:///{tmp_path / 'rl.db'}", redis_url=redis_server.url,
                   RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="30/minute;300/hour",
                   RATELIMIT_KEY_PREFIX=f"t{uuid.uuid4().hex}")
    demo_data.load(app.extensions["tracuu.service"])
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127." + ".".join(str(random.randrange(1, 255)) for _ in "xyz")
    assert client.post("/tra-cuu", data={"code": READY}).status_code == 303  # loads the script
    server = redis.Redis.from_url(redis_server.url)
    server.config_resetstat()
    response = client.post("/tra-cuu", data={"code": READY})
    stats = server.info("commandstats")
    assert response.status_code == 303
    # No X-RateLimit-* headers: each would have cost more round trips on every lookup.
    assert not [name for name in response.headers.keys() if name.lower().startswith("x-ratelimit")]
    calls = {name.removeprefix("cmdstat_"): stat["calls"] for name, stat in stats.items()}
    # One script for both limits (each INCR runs inside it); no GET and TTL to fill in headers.
    assert calls.get("evalsha", 0) + calls.get("eval", 0) == 1, calls
    assert calls.get("incr") == 2, calls
    assert not {"get", "ttl", "pttl", "mget"} & set(calls), calls
    app.extensions["tracuu.store"].dispose()


@pytest.mark.parametrize("seconds, lang, said", [
    (1, "en", "Please wait a second, then try again."),
    (45, "en", "Please wait 45 seconds, then try again."),
    (89, "vi", "Vui lòng đợi 89 giây rồi thử lại."),
    (90, "en", "Please wait 2 minutes, then try again."),
    (3599, "vi", "Vui lòng đợi 60 phút rồi thử lại."),
])
def test_the_wait_is_said_as_a_reader_says_it(app, seconds, lang, said):
    from channels.web.pages import wait_words

    with app.test_request_context(f"/?lang={lang}"):
        assert wait_words(seconds) == said


def test_without_redis_each_process_counts_in_memory(tmp_path, caplog):
    app = make_app(f"sqlite:///{tmp_path / 'rl.db'}", redis_url="redis://127.0.0.1:1/0",
                   RATELIMIT_ENABLED=True, LOOKUP_RATE_LIMIT="2/minute;5/hour")
    demo_data.load(app.extensions["tracuu.service"])
    client = app.test_client()
    assert client.get("/api/v1/lookup", query_string={"code": READY}).status_code == 200
    assert client.post("/tra-cuu", data={"code": READY}).status_code == 303
    refused = client.post("/tra-cuu?lang=en", data={"code": READY})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "counting in memory" in caplog.text
    app.extensions["tracuu.store"].dispose()


def test_the_window_that_was_broken_says_how_long_to_wait():
    from redis import Redis

    from channels.web.ratelimit import LookupLimits

    # No Redis answers: the same windows, counted in memory.
    limits = LookupLimits(Redis.from_url("redis://127.0.0.1:1/0"), "1/minute;2/hour", "t")
    start = 7200.0 + 3600 - 90  # 90 s before an hour ends, 30 s into a minute
    assert limits.hit("a", start) is None
    assert limits.hit("a", start + 1) == 29   # 2nd in the minute: until the minute ends
    assert limits.hit("b", start + 1) is None  # each client its own
    assert limits.hit("a", start + 31) == 59  # a new minute, but the 3rd in the hour (refused ones count)


def fresh_limits(url, spec="1/minute"):
    from redis import Redis

    from channels.web.ratelimit import LookupLimits

    return LookupLimits(Redis.from_url(url, socket_timeout=2), spec, f"t{uuid.uuid4().hex}")


def test_a_count_cut_off_before_its_reply_does_not_answer_the_next(redis_server):
    import signal

    import redis

    class Interrupted(Exception):
        pass

    def interrupt(*_):
        raise Interrupted

    limits = fresh_limits(redis_server.url)  # 1/minute
    assert limits.hit("a", 30.0) is None
    # Redis holds every client's commands for 0.5 s, and a's second count is cut off meanwhile
    # (a signal, a worker's timeout): its reply ("refused") must not be left on the connection.
    redis.Redis.from_url(redis_server.url).execute_command("CLIENT", "PAUSE", 500, "ALL")
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        with pytest.raises(Interrupted):
            limits.hit("a", 31.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert limits.hit("b", 32.0) is None  # b's own verdict, not a's
    assert limits.hit("b", 33.0) == 27


def test_a_script_redis_lost_is_sent_again(redis_server, caplog):
    import redis

    limits = fresh_limits(redis_server.url, "2/minute")
    assert limits.hit("a", 30.0) is None
    redis.Redis.from_url(redis_server.url).script_flush()  # as after a restart or a failover
    assert limits.hit("a", 31.0) is None
    assert limits.hit("a", 32.0) == 28  # still counted in Redis, not in memory
    assert "counting in memory" not in caplog.text


def test_after_a_redis_restart_counting_goes_back_to_redis(tmp_path, caplog):
    import redis

    from tests.support.servers import RedisServer

    server = RedisServer(tmp_path).start()
    try:
        limits = fresh_limits(server.url, "100/minute")
        assert limits.hit("a", 30.0) is None
        server.restart()  # the thread's connection is now dead
        limits.hit("a", 31.0)  # may be counted in memory while the connection is found dead
        assert limits.hit("a", 32.0) is None
        keys = redis.Redis.from_url(server.url).keys(f"{limits.prefix}:a:*")
        assert keys, "the count after the restart is in Redis again"
    finally:
        server.stop()
