"""`make run` keeps serving: scripts/run.py started for real, its children SIGKILLed one at a
time; each comes back while the others keep running, and SIGTERM still stops everything."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.support.servers import free_port
from worker import queues

ROOT = Path(__file__).resolve().parent.parent
READY = "000.00.04.H40-261102-0001"


class RunScript:
    """scripts/run.py in its own session, its output in a file the test reads."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.output = workdir / "run.log"
        env = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR")}
        env.update(VAR_DIR=str(workdir / "var"), PORT=str(self.port), SECRET_KEY="supervision-test")
        with self.output.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "scripts/run.py"], cwd=ROOT, env=env,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_for(self, pattern: str, after: int = 0, timeout: float = 120) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.compile(pattern).search(self.log(), after)
            if found:
                return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} in run.py's output:\n{self.log()[-4000:]}")

    def pid(self, name: str, after: int = 0) -> tuple[int, int]:
        """The pid of the latest start of `name` after offset `after`, and where its line ends."""
        found = self.wait_for(rf"\[run\] {re.escape(name)} started (?:again )?\(pid (\d+)\)", after)
        return int(found.group(1)), found.end()

    def serves(self, timeout: float = 60) -> float:
        """Seconds until /healthz answers 200."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"not serving after {timeout} s:\n{self.log()[-4000:]}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return self.proc.wait()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too: it waits only for its parent to notice.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1][0] != "Z"


def web_found(base: str) -> float:
    body = requests.get(f"{base}/metrics", timeout=5).text
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == "tracuu_lookups_total" and sample.labels == {"channel": "web",
                                                                             "outcome": "found"}:
                return sample.value
    raise AssertionError("no tracuu_lookups_total{channel=web,outcome=found}")


def lookup(base: str) -> int:
    # A new connection each time, so both gunicorn workers answer some.
    return requests.post(f"{base}/tra-cuu", data={"code": READY}, timeout=10,
                         headers={"Connection": "close"}).status_code


@pytest.fixture
def run_script(tmp_path):
    script = RunScript(tmp_path)
    yield script
    script.stop()


def test_killed_children_come_back_and_the_others_keep_serving(run_script):
    run = run_script
    run.wait_for(r"\[run\] serving on")
    run.serves()
    web, _ = run.pid("web (gunicorn)")
    worker, _ = run.pid("alerts worker")
    redis, _ = run.pid("redis-server")

    # /metrics sums the counts of both gunicorn workers (multiprocess mode).
    assert [lookup(run.base) for _ in range(20)] == [200] * 20
    assert web_found(run.base) == 20

    mark = len(run.log())
    os.kill(web, signal.SIGKILL)
    killed_at = time.monotonic()
    new_web, mark = run.pid("web (gunicorn)", mark)
    seconds = run.serves() + (time.monotonic() - killed_at)
    print(f"gunicorn master SIGKILLed: serving again after {seconds:.1f} s")
    assert new_web != web and alive(worker) and alive(redis)
    # The dead processes' counts are kept: counters never go backwards while the host runs.
    assert lookup(run.base) == 200 and web_found(run.base) == 21

    os.kill(worker, signal.SIGKILL)
    new_worker, mark = run.pid("alerts worker", mark)
    assert new_worker != worker and alive(new_web) and alive(redis)
    run.wait_for(r"\*\*\* Listening on .*alerts", mark)

    os.kill(redis, signal.SIGKILL)
    new_redis, mark = run.pid("redis-server", mark)
    assert new_redis != redis and alive(new_web) and alive(new_worker)
    deadline = time.monotonic() + 60
    while requests.get(f"{run.base}/readyz", timeout=5).status_code != 200:
        assert time.monotonic() < deadline, run.log()[-4000:]
        time.sleep(0.5)
    run.wait_for(r"Redis answers again", mark)
    assert lookup(run.base) == 200

    assert run.stop() == 0
    assert "stopping everything this started" in run.log()
    for pid in (new_web, new_worker, new_redis):
        assert not alive(pid), pid


def test_a_redis_outage_is_one_line_each_way_in_the_worker(run_script):
    run = run_script
    for queue in queues.ALL:  # every worker listening before Redis goes
        run.wait_for(rf"\*\*\* Listening on .*{queue}")
    run.serves()
    redis, mark = run.pid("redis-server")
    os.kill(redis, signal.SIGKILL)
    run.pid("redis-server", mark)
    # Each worker process says it on its own schedule: wait for every one of them.
    seen = mark
    for _ in queues.ALL:
        seen = run.wait_for(r"Redis answers again", seen).end()
    tail = run.log()[mark:]
    worker_lines = [line for line in tail.splitlines() if "tracuu.redis" in line]
    # One line each way from each worker process (one a queue).
    assert sum("unreachable" in line for line in worker_lines) == len(queues.ALL), tail
    assert sum("answers again" in line for line in worker_lines) == len(queues.ALL), tail
