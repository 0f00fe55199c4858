"""`make run`: database, demo data, a private redis-server, the web app and the workers,
all in the foreground; one Ctrl-C stops everything this started.

Every long-running child is supervised: one that dies (killed, out of memory, a crash) is
logged and started again after a pause that grows while it keeps dying (1 s, 2 s, 4 s, … 30 s);
the others keep serving meanwhile."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import VAR_DIR, Config, private_dir, private_secret  # noqa: E402
from worker import queues  # noqa: E402

VENV_BIN = Path(sys.executable).parent


def log(message: str) -> None:
    try:
        print(f"[run] {message}", file=sys.stderr, flush=True)
    except OSError:
        pass  # the terminal or pipe is gone (Ctrl-C on `make run | tee`): keep stopping children


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"[run] {proc.args[0]} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"[run] nothing listening on port {port}")


def start_redis(var_dir: Path = VAR_DIR) -> tuple[subprocess.Popen, str]:
    """A private redis-server that wants the password kept in var/redis_password.

    Without one, anything that reaches the port could queue jobs for the worker or wipe the
    rate-limit counters. The password is in a 0600 config file, not on the command line (`ps`).
    """
    redis_dir = private_dir(var_dir / "redis")
    password = private_secret(var_dir / "redis_password")
    port = int(os.environ.get("REDIS_PORT") or free_port())
    conf = redis_dir / "redis.conf"
    conf.unlink(missing_ok=True)
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"port {port}\nbind 127.0.0.1\nprotected-mode yes\ndir {redis_dir}\n"
                  f"appendonly yes\nsave 60 1000\nlogfile {redis_dir / 'redis.log'}\n"
                  f"requirepass {password}\n")
    proc = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", str(conf)],
        # Its own session: Ctrl-C reaches only us, and we stop Redis after the workers.
        # umask 077: its data files are created 0600.
        start_new_session=True, umask=0o077,
    )
    wait_for_port(port, proc)
    log(f"private redis-server on 127.0.0.1:{port} (password in {var_dir / 'redis_password'}), "
        f"data in {redis_dir}")
    return proc, f"redis://:{password}@127.0.0.1:{port}/0"


def flask(*args: str) -> list[str]:
    return [str(VENV_BIN / "flask"), "--app", "app", *args]


# A child that ran this long was healthy: its next death starts the pauses from the shortest.
HEALTHY_SECONDS = 60
RESTART_PAUSES = (1, 2, 4, 8, 16, 30)


class Child:
    """One supervised process; `restart` makes its replacement."""

    def __init__(self, name: str, start, running: subprocess.Popen | None = None) -> None:
        self.name = name
        self._start = start
        self.proc: subprocess.Popen = running or start()
        self.started_at = time.monotonic()
        self.deaths_in_a_row = 0
        self.restart_at: float | None = None
        log(f"{self.name} started (pid {self.proc.pid})")

    def check(self, now: float) -> None:
        """Notice a death and schedule the restart; restart when its pause is over."""
        if self.restart_at is None:
            code = self.proc.poll()
            if code is None:
                return
            _kill_group(self.proc)  # a dead gunicorn master's workers still hold the port
            if now - self.started_at >= HEALTHY_SECONDS:
                self.deaths_in_a_row = 0
            pause = RESTART_PAUSES[min(self.deaths_in_a_row, len(RESTART_PAUSES) - 1)]
            self.deaths_in_a_row += 1
            log(f"{self.name} (pid {self.proc.pid}) {_how_it_ended(code)}; starting it again in {pause} s"
                + (f" (died {self.deaths_in_a_row} times in a row)" if self.deaths_in_a_row > 1 else ""))
            self.restart_at = now + pause
        elif now >= self.restart_at:
            self.restart_at = None
            try:
                self.proc = self._start()
            except (OSError, SystemExit) as error:
                log(f"{self.name} could not be started: {error}")
                self.restart_at = now + RESTART_PAUSES[-1]
                return
            self.started_at = now
            log(f"{self.name} started again (pid {self.proc.pid})")


def _how_it_ended(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with {code}"


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def service_name(argv: list[str]) -> str:
    if "gunicorn" in Path(argv[0]).name:
        return "web (gunicorn)"
    if "alerts-worker" in argv:
        return f"{argv[argv.index('--queue') + 1]} worker" if "--queue" in argv else "alerts worker"
    if "ivr-asterisk" in argv:
        return "IVR adapter"
    return Path(argv[0]).name


def metrics_dir() -> Path:
    """Where every process writes its counts for /metrics; emptied on each start (the counts
    of processes from an earlier run must not be added to this one's)."""
    path = VAR_DIR / "metrics"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def main() -> int:
    private_dir(VAR_DIR)
    env = dict(os.environ)
    children: list[Child] = []
    # Children get their own process group so Ctrl-C reaches us once and we stop them in order.
    popen_group = {"start_new_session": True}
    # `kill` or a service manager stops us with SIGTERM: clean up exactly as for Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    redis = None
    try:
        if not env.get("REDIS_URL"):
            first, env["REDIS_URL"] = start_redis()
            # Same command, same port and data directory: the children's REDIS_URL stays true.
            port = urlsplit(env["REDIS_URL"]).port
            redis = Child("redis-server", lambda: _restart_redis(first.args, port), running=first)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir())
        os.environ.update(env)
        config = Config()
        subprocess.run(flask("db-upgrade"), check=True, env=env, cwd=ROOT)
        if config.DEMO:
            log("loading demo data (codes and PINs below; also in README.md); its texts go to the console")
            subprocess.run(flask("load-demo"), check=True, env=env, cwd=ROOT)
        else:
            log("no demo data: DATABASE_URL is set or DEMO=0 (DEMO=1 loads it anyway)")
        for command in setup_commands(config):
            subprocess.run(flask(*command), check=True, env=env, cwd=ROOT)
        port = env.get("PORT", "8000")
        for argv in services(config, port):
            children.append(Child(service_name(argv), lambda argv=argv: subprocess.Popen(
                argv, env=env, cwd=ROOT, **popen_group)))
        log(f"serving on http://127.0.0.1:{port}  (Ctrl-C stops everything)")
        while True:
            time.sleep(0.5)
            now = time.monotonic()
            for child in ([redis] if redis else []) + children:
                child.check(now)
    except KeyboardInterrupt:
        return 0
    finally:
        # A second Ctrl-C or SIGTERM while stopping must not leave children behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        log("stopping everything this started")
        _stop([child.proc for child in children])
        if redis is not None:  # last, so the workers finish their jobs with Redis up
            _stop([redis.proc])


def _restart_redis(argv, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(argv, start_new_session=True, umask=0o077)
    wait_for_port(port, proc)
    return proc


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        _kill_group(process)  # anything it left behind in its session


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def setup_commands(config: Config) -> list[list[str]]:
    """One-off steps after the database is ready (e.g. rendering missing IVR prompts)."""
    # Hotline prompts (espeak-ng + sox, deploy/apt-run.txt): renders only what is missing,
    # never over a studio recording (docs/ivr.md).
    return [["ivr-prompts"]]


def services(config: Config, port: str) -> list[list[str]]:
    """The long-running processes of the whole system."""
    # Threads: a write waiting for a database lock holds one (at most three per process, see
    # channels/web/api.py), so lookups always have threads left to answer on.
    argv = [[str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--worker-class", "gthread", "--threads", "4",
             # Its hooks: a dead worker's live gauges leave /metrics.
             "--config", str(ROOT / "deploy" / "gunicorn.conf.py"),
             "--access-logfile", "-", "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss',
             # QR links and receipt images carry a dossier code in their path: logged cut short.
             "--logger-class", "channels.web.accesslog.RedactingLogger",
             "app:create_app()"]]
    # An RQ worker with its scheduler for each queue of worker/queues.py, one queue a process
    # (worker/cli.py says why); they also run the outbox sweeper and the daily scan
    # (tests/worker/test_startup.py checks the names).
    for queue in queues.ALL:
        argv.append(flask("alerts-worker", "--queue", queue))
    # Hotline on Asterisk: only when a switch is configured (docs/ivr.md).
    if config.ASTERISK_AMI_HOST:
        argv.append(flask("ivr-asterisk"))
    return argv


if __name__ == "__main__":
    raise SystemExit(main())
