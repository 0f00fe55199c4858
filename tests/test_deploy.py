"""The production files in deploy/ are what their tools accept: `systemd-analyze verify` on
the units, `nginx -t` on the site, `promtool check rules` on the alert rules; and the units say
what docs/deploy.md promises (a non-root user, restarts, hardening)."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
INSTALLED_AT = "/opt/tracuu"


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing on CI: make test installs it (deploy/apt-test.txt)")
        pytest.skip(f"{tool} is not installed")
    return found


def units_here(tmp_path: Path) -> Path:
    """The units with the checkout (and its .venv) where /opt/tracuu would be: verify checks
    that every command exists."""
    for unit in UNITS.iterdir():
        (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED_AT, str(ROOT)))
    return tmp_path


@pytest.mark.parametrize("name", ["tracuu-web.service", "tracuu-worker@1.service",
                                  "tracuu-chat-worker.service", "tracuu-ivr.service"])
def test_systemd_analyze_verify_accepts_the_unit(tmp_path, name):
    tool = need("systemd-analyze")
    here = units_here(tmp_path)
    result = subprocess.run([tool, "verify", str(here / name)], capture_output=True, text=True)
    # verify exits 0 on unknown keys too; it only warns: any word from it is a failure here.
    assert result.returncode == 0 and not result.stderr.strip() and not result.stdout.strip(), result.stderr


def test_systemd_analyze_verify_would_catch_a_mistake(tmp_path):
    tool = need("systemd-analyze")
    here = units_here(tmp_path)
    unit = here / "tracuu-web.service"
    unit.write_text(unit.read_text().replace("ProtectSystem=strict", "ProtectSystm=strict"))
    result = subprocess.run([tool, "verify", str(unit)], capture_output=True, text=True)
    assert "ProtectSystm" in result.stderr


def unit_settings(name: str) -> dict[str, str]:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string((UNITS / name).read_text())
    return dict(parser["Service"])


@pytest.mark.parametrize("name", ["tracuu-web.service", "tracuu-worker@.service",
                                  "tracuu-chat-worker.service", "tracuu-ivr.service"])
def test_units_run_as_a_dedicated_user_restart_and_are_hardened(name):
    service = unit_settings(name)
    assert service["User"] == "tracuu" and service["Group"] == "tracuu"
    assert service["Restart"] == "always"
    assert service["EnvironmentFile"] == "/etc/tracuu/tracuu.env"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == "yes" and service["ReadWritePaths"] == "/var/lib/tracuu"
    assert service["CapabilityBoundingSet"] == ""
    assert service["Environment"] == "PROMETHEUS_MULTIPROC_DIR=/run/tracuu/metrics"


def test_web_unit_starts_gunicorn_as_make_run_does():
    """Same logger (no codes in access logs), same hooks, same app factory as scripts/run.py."""
    from config import Config
    from tests.multihost.hosts import unit_command
    from tests.support.run_script import load_run_script

    unit = unit_command(UNITS / "tracuu-web.service", ROOT)
    (ours,) = [argv for argv in load_run_script().services(Config(), "8000") if "gunicorn" in argv[0]]
    for option in ("--logger-class", "--access-logformat", "--config", "--worker-class", "--threads"):
        assert unit[unit.index(option) + 1] == ours[ours.index(option) + 1], option
    assert unit[-1] == ours[-1] == "app:create_app()"


@pytest.fixture(scope="module")
def snakeoil() -> None:
    """The site's TLS placeholder is Debian's snakeoil pair (package ssl-cert makes it)."""
    if not Path("/etc/ssl/certs/ssl-cert-snakeoil.pem").exists():
        subprocess.run([need("make-ssl-cert"), "generate-default-snakeoil"], check=True)


def nginx_main_conf(tmp_path: Path, site: Path) -> Path:
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                    f"http {{\n  include /etc/nginx/mime.types;\n  include {site};\n}}\n")
    return conf


def test_nginx_accepts_the_site(tmp_path, snakeoil):
    nginx = need("nginx")
    conf = nginx_main_conf(tmp_path, ROOT / "deploy" / "nginx" / "tracuu.conf")
    result = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_promtool_accepts_the_alert_rules():
    promtool = need("promtool")
    rules = ROOT / "deploy" / "prometheus" / "tracuu-rules.yml"
    result = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_alert_rules_use_only_metrics_the_app_exports():
    import re

    import metrics

    rules = (ROOT / "deploy" / "prometheus" / "tracuu-rules.yml").read_text()
    used = set(re.findall(r"\b(tracuu_[a-z_]+)", rules))
    exported = {"tracuu_lookups_total", "tracuu_alerts_total", "tracuu_alert_queue_depth",
                "tracuu_provider_send_seconds_bucket", "tracuu_ivr_calls_active",
                "tracuu_ingest_requests_total"}
    assert used and used <= exported, used - exported
    body = metrics.render(lambda: 0).decode()
    for name in exported:
        assert name.replace("_bucket", "") in body, name
