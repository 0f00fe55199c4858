"""Every benchmark in bench/ still runs, at a size that takes seconds.

Nothing else runs them, and a script that no longer starts is only found when someone needs
its figure (bench/ivr_turn.py gave CallStates a URL for weeks after it came to take a client).
Only that each one runs to its end and removes what it made is checked here, never a figure:
these are not timings.
`web_instructions.py` is left out: it runs the app under valgrind ten times (minutes).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SMALL_RUNS = [
    ("lookup_core.py", "--dossiers", "200", "--lookups", "100"),
    ("expected_lookup.py", "--dossiers", "200", "--lookups", "100"),
    ("import.py", "--rows", "500"),
    ("ivr_turn.py", "--turns", "20", "--pings", "20"),
    ("sms_webhook.py", "--seconds", "0.3", "--rounds", "1"),
    ("web_lookup.py", "--seconds", "0.3", "--rounds", "1"),
    ("alerts_throughput.py", "--n", "40", "--rounds", "1"),
    ("zalo_alerts.py", "--n", "40", "--rounds", "1"),
    ("alerts_chaos.py", "--n", "60", "--kill-every", "1", "--provider", "twilio", "kannel"),
]


def test_every_benchmark_is_run_here_or_named_as_left_out():
    scripts = {path.name for path in (ROOT / "bench").glob("*.py")}
    run = {script for script, *_ in SMALL_RUNS}
    not_benchmarks = {"common.py", "web_app.py", "web_instructions.py"}  # helpers; see above
    assert scripts - not_benchmarks == run


@pytest.mark.slow
@pytest.mark.parametrize("script_and_args", SMALL_RUNS, ids=[run[0] for run in SMALL_RUNS])
def test_a_benchmark_runs_to_its_end_and_leaves_nothing_behind(script_and_args, tmp_path):
    script, *args = script_and_args
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT,
                          env={**os.environ, "TMPDIR": str(scratch)},
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{script}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    assert done.stdout.strip(), f"{script} printed nothing"
    assert not list(scratch.iterdir()), "its temporary folders (databases, a redis-server's) are removed"
