"""scripts/run.py (what `make run` runs) loaded as a module, so tests can read what it starts."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

RUN_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "run.py"


def load_run_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_script", RUN_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
