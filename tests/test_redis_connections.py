"""One function builds every Redis connection: REDIS_URL, or the primary a Sentinel names."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from limits.storage import storage_from_string

from redis_connections import connect, describe, limits_storage, sentinel_addresses
from tests.support.servers import free_port, wait_for_port


@pytest.mark.parametrize("value, expected", [
    ("", []),
    ("10.0.0.5:26379", [("10.0.0.5", 26379)]),
    (" a:1, b:2 ,c ", [("a", 1), ("b", 2), ("c", 26379)]),
    ("[::1]:26380,[fe80::1]", [("::1", 26380), ("fe80::1", 26379)]),
])
def test_sentinel_addresses(value, expected):
    assert sentinel_addresses({"REDIS_SENTINELS": value, "REDIS_SENTINEL_MASTER": "m"}) == expected


def test_sentinels_without_a_master_name_are_refused():
    with pytest.raises(ValueError, match="REDIS_SENTINEL_MASTER"):
        sentinel_addresses({"REDIS_SENTINELS": "a:1"})


def test_describe_never_shows_the_password():
    assert "s3cret" not in describe({"REDIS_URL": "redis://:s3cret@10.0.0.3:6379/0"})
    config = {"REDIS_SENTINELS": "a:1", "REDIS_SENTINEL_MASTER": "tracuu", "REDIS_PASSWORD": "s3cret"}
    assert "s3cret" not in describe(config) and "tracuu" in describe(config)


@pytest.fixture
def sentinel(tmp_path):
    if shutil.which("redis-sentinel") is None:
        if os.environ.get("CI"):
            pytest.fail("redis-sentinel is missing on CI: make test installs it")
        pytest.skip("redis-sentinel is not installed")
    data_port, sentinel_port = free_port(), free_port()
    procs = [subprocess.Popen(["redis-server", "--port", str(data_port), "--bind", "127.0.0.1",
                               "--requirepass", "pw", "--save", "", "--dir", str(tmp_path)],
                              stdout=subprocess.DEVNULL)]
    wait_for_port(data_port, proc=procs[0])
    conf = tmp_path / "sentinel.conf"
    conf.write_text(f"bind 127.0.0.1\nport {sentinel_port}\ndir {tmp_path}\nrequirepass pw\n"
                    f"sentinel monitor tracuu 127.0.0.1 {data_port} 1\nsentinel auth-pass tracuu pw\n")
    procs.append(subprocess.Popen(["redis-sentinel", str(conf)], stdout=subprocess.DEVNULL))
    wait_for_port(sentinel_port, proc=procs[1])
    yield {"REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_SENTINELS": f"127.0.0.1:{sentinel_port}",
           "REDIS_SENTINEL_MASTER": "tracuu", "REDIS_PASSWORD": "pw"}, data_port
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def test_with_sentinels_every_user_reaches_the_primary_they_name(sentinel):
    config, data_port = sentinel
    client = connect(config)
    client.set("tracuu:test", "1")
    assert client.connection_pool.get_master_address() == ("127.0.0.1", data_port)
    uri, options = limits_storage(config)
    assert uri.startswith("redis+sentinel://") and uri.endswith("/tracuu")
    storage = storage_from_string(uri, key_prefix="t", **options)
    assert storage.check() and storage.incr("k", 60) == 1


def test_with_a_url_the_password_stays_in_the_url(redis_server):
    config = {"REDIS_URL": redis_server.url}
    assert connect(config).ping()
    assert limits_storage(config)[0] == redis_server.url
