"""The start-up files name queues and commands that exist (as Notify's test_all_queues_used)."""

import ast
import re
from pathlib import Path

from config import Config
from tests.support.run_script import load_run_script
from worker import queues

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_starts_a_worker_on_every_queue_one_queue_a_process():
    services = load_run_script().services(Config(), "8000")
    workers = [argv for argv in services if "alerts-worker" in argv]
    named = [[argv[i + 1] for i, arg in enumerate(argv) if arg == "--queue"] for argv in workers]
    assert all(len(queue_names) == 1 for queue_names in named)
    assert sorted(name for (name,) in named) == sorted(queues.ALL)


def test_every_queue_has_a_systemd_unit_one_queue_a_unit():
    units = (ROOT / "deploy" / "systemd").glob("tracuu-*worker*.service")
    served = [re.findall(r"--queue (\w+)", unit.read_text()) for unit in units]
    assert all(len(queue_names) == 1 for queue_names in served)
    assert sorted(name for (name,) in served) == sorted(queues.ALL)


def test_the_worker_command_takes_one_queue(app):
    """With several queues RQ pops a job without keeping it anywhere: a worker killed before it
    starts the job loses it for good (seen in the crash drill)."""
    result = app.test_cli_runner().invoke(
        args=["alerts-worker", "--queue", "chat", "--queue", "alerts", "--burst"])
    assert result.exit_code != 0


def test_the_code_enqueues_only_on_declared_queues():
    """Every Queue(...) in worker/ is given a constant from worker/queues.py, never a literal."""
    used = []
    for path in (ROOT / "worker").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Queue":
                first = node.args[0]
                assert isinstance(first, ast.Attribute) and getattr(first.value, "id", "") == "queues", path
                used.append(first.attr)
    assert used and {getattr(queues, name) for name in used} <= set(queues.ALL)


def test_the_worker_command_refuses_an_unknown_queue(app):
    result = app.test_cli_runner().invoke(args=["alerts-worker", "--queue", "nope", "--burst"])
    assert result.exit_code != 0 and "unknown queue" in result.output


def test_the_worker_refuses_to_start_without_a_usable_sender(tmp_path):
    from tests.worker.support import build_app, settings

    app = build_app(settings(f"sqlite:///{tmp_path / 'a.db'}", "redis://127.0.0.1:1/0", SMS_SENDER="kannel",
                             KANNEL_PASSWORD=""))
    result = app.test_cli_runner().invoke(args=["alerts-worker", "--burst"])
    assert result.exit_code != 0
    assert "cannot send alerts" in result.output and "KANNEL_PASSWORD" in result.output


def test_with_the_defaults_a_killed_workers_alert_is_picked_up_within_two_minutes():
    """Lease (1.5 x job timeout) plus one sweep period, and RQ's own worker TTL, under 120 s."""
    from datetime import timedelta

    from worker.context import Alerts
    from worker.runner import WORKER_TTL

    class ConfigOnly:  # what Alerts reads of an app; Config() is what `make run` uses
        config = vars(Config())
        extensions = {"tracuu.service": None, "tracuu.store": None}

    alerts = Alerts(ConfigOnly())
    assert alerts.lease + timedelta(seconds=alerts.sweep_every) <= timedelta(minutes=2)
    assert WORKER_TTL <= 120 and alerts.job_timeout < alerts.lease.total_seconds()
