"""What `make run` does on its first day: the demo only where it belongs, Redis behind a
password, and private files under var/ created private."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from redis import Redis

from config import Config, private_dir, private_secret
from tests.support.run_script import load_run_script

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("env, loads", [
    ({}, True),                                                   # the embedded default database
    ({"DEMO": "0"}, False),
    ({"DEMO": "1"}, True),
    ({"DATABASE_URL": "postgresql+psycopg://tracuu@db/tracuu"}, False),
    ({"DATABASE_URL": "sqlite:////srv/tracuu.db"}, False),
    ({"DATABASE_URL": "postgresql+psycopg://tracuu@db/tracuu", "DEMO": "1"}, True),
    ({"DATABASE_URL": "postgresql+psycopg://tracuu@db/tracuu", "DEMO": "0"}, False),
])
def test_the_demo_is_loaded_only_on_the_embedded_database_or_when_asked(monkeypatch, env, loads):
    for name in ("DEMO", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Config().DEMO is loads


def test_load_demo_refuses_a_configured_database(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}", "VAR_DIR": str(tmp_path),
           "SECRET_KEY": "x"}
    env.pop("DEMO", None)
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "--app", "app", "db-upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    refused = subprocess.run([flask, "--app", "app", "load-demo"], cwd=ROOT, env=env, capture_output=True,
                             text=True)
    assert refused.returncode != 0 and "DEMO=1" in refused.stderr
    allowed = subprocess.run([flask, "--app", "app", "load-demo"], cwd=ROOT, env={**env, "DEMO": "1"},
                             capture_output=True, text=True)
    assert allowed.returncode == 0 and "000.00.04.H40-261102-0001" in allowed.stdout


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_private_redis_server_wants_its_password(tmp_path):
    run = load_run_script()
    proc, url = run.start_redis(tmp_path)
    try:
        password = (tmp_path / "redis_password").read_text()
        assert len(password) >= 32 and f":{password}@" in url
        assert _mode(tmp_path / "redis_password") == 0o600
        assert _mode(tmp_path / "redis") == 0o700
        assert _mode(tmp_path / "redis" / "redis.conf") == 0o600
        port = url.rsplit(":", 1)[1].split("/")[0]
        # Anything that reaches the port without the password can do nothing.
        for command in (b"RPUSH rq:queue:alerts x\r\n", b"FLUSHALL\r\n", b"KEYS *\r\n"):
            with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as stranger:
                stranger.sendall(command)
                assert stranger.recv(200).startswith(b"-NOAUTH")
        ours = Redis.from_url(url)
        assert ours.ping()
        ours.set("k", "v")
        # The password is not on the command line that `ps` shows.
        assert password not in " ".join(proc.args)
    finally:
        run._stop([proc])
    # A restart keeps the password it made on first start.
    proc, again = run.start_redis(tmp_path)
    run._stop([proc])
    assert again.split("@")[0] == url.split("@")[0]
    for data in (tmp_path / "redis").rglob("*"):
        if data.is_file():
            assert _mode(data) & 0o077 == 0, data


def test_var_and_its_secrets_are_created_private(tmp_path):
    var = tmp_path / "var"
    secret = private_secret(var / "secret_key")
    assert _mode(var) == 0o700 and _mode(var / "secret_key") == 0o600
    assert private_secret(var / "secret_key") == secret
    wide = tmp_path / "wide"
    wide.mkdir(mode=0o755)
    private_dir(wide)
    assert _mode(wide) == 0o700


def test_the_sqlite_database_is_created_private(tmp_path):
    from lookup.store import Store

    old = os.umask(0o022)
    try:
        store = Store(f"sqlite:///{tmp_path / 'var' / 'tracuu.db'}")
        store.create_all()
        store.dispose()
    finally:
        os.umask(old)
    for name in ("tracuu.db", "tracuu.db-wal", "tracuu.db-shm"):
        path = tmp_path / "var" / name
        if path.exists():
            assert _mode(path) == 0o600, name
    assert _mode(tmp_path / "var") == 0o700
