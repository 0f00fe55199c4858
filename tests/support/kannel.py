"""A real Kannel for the tests: bearerbox + smsbox with a fake SMSC, and fakesmsc as the phone.

Everything runs on free ports on 127.0.0.1 from a config file written here; nothing of the
machine's /etc/kannel is used.

    kannel = Kannel(workdir, get_url="http://127.0.0.1:PORT/sms/kannel?...").start()
    with kannel.phone(["84912000001 8077 text HD"]) as phone:   # one fakesmsc session
        [reply] = phone.wait_for(1)
    kannel.stop()
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

import pytest
import requests

from tests.support.servers import free_port, stop, wait_for_port

FAKESMSC = Path("/usr/lib/kannel/test/fakesmsc")
_GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")


def kannel_missing() -> str | None:
    """Why Kannel cannot run here, or None."""
    for binary in ("bearerbox", "smsbox"):
        if not (shutil.which(binary) or Path("/usr/sbin", binary).exists()):
            return f"{binary} not found (Debian package kannel)"
    if not FAKESMSC.exists():
        return f"{FAKESMSC} not found (Debian package kannel-extras)"
    return None


def require_kannel() -> None:
    """Skip without Kannel on a developer machine; fail on CI, where make test installs it."""
    missing = kannel_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"Kannel is missing on CI: {missing}")
        pytest.skip(missing)


def _binary(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


@dataclass(frozen=True)
class Sms:
    sender: str
    receiver: str
    kind: str  # text, ucs2 / ucs-2, data, udh
    text: str  # for udh parts: the payload's octets as Latin-1 (UCS-2 parts: see `octets`)
    udh: bytes = b""
    octets: bytes = b""


def parse_fakesmsc_line(line: str) -> Sms | None:
    """fakesmsc prints what the SMSC sent it as `Got message N: <from to type data>`."""
    match = _GOT.search(line.rstrip("\n"))
    if not match:
        return None
    sender, receiver, kind, data = match.groups()
    if kind == "text":
        text = data
    elif kind in ("ucs2", "ucs-2"):
        text = _octets(data).decode("utf-16-be", "replace")
    elif kind == "udh":
        # One part of a concatenated text: `udh <udh octets> <text|data> <payload>`.
        udh, _inner, payload = (data.split(" ", 2) + ["", ""])[:3]
        octets = _octets(payload)
        return Sms(sender, receiver, kind, octets.decode("latin-1"), _octets(udh), octets)
    else:
        text = _octets(data).decode("latin-1", "replace")
    return Sms(sender, receiver, kind, text)


def _octets(data: str) -> bytes:
    return unquote_to_bytes(data.replace("+", "%20"))


def mo_line(sender: str, receiver: str, text: str) -> str:
    """A fakesmsc message line for an SMS a phone sends; UCS-2 when it is not plain ASCII."""
    if text.isascii() and text.strip() == text and "\n" not in text and text:
        return f"{sender} {receiver} text {text}"
    return f"{sender} {receiver} ucs2 {quote(text.encode('utf-16-be'), safe='')}"


class Phone:
    """One fakesmsc session connected to the fake SMSC: it sends the given messages and records
    everything the SMSC delivers to it."""

    def __init__(self, kannel: Kannel, messages: list[str]) -> None:
        self.kannel = kannel
        self.messages = messages
        self.received: list[Sms] = []
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.proc: subprocess.Popen | None = None

    def start(self) -> Phone:
        args = [str(FAKESMSC), "-H", "127.0.0.1", "-r", str(self.kannel.smsc_port), "-i", "0.2",
                "-m", str(len(self.messages))]
        # fakesmsc wants at least one message even when it is to send none.
        args += self.messages or ["0 0 text unused"]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     encoding="latin-1")
        threading.Thread(target=self._read, daemon=True).start()
        self._wait_connected()
        return self

    def _wait_connected(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.kannel.smsc_online():
                return
            time.sleep(0.05)
        raise TimeoutError("fakesmsc did not connect to the bearerbox")

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            sms = parse_fakesmsc_line(line)
            with self._lock:
                self.lines.append(line)
                if sms is not None:
                    self.received.append(sms)

    def wait_for(self, count: int, timeout: float = 15) -> list[Sms]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise TimeoutError(f"fakesmsc got {len(self.received)} of {count} messages; "
                           f"bearerbox log:\n{self.kannel.log_tail()}")

    def stop(self) -> None:
        # Let the SMSC hand over what it still holds, or the next session would get it.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not self.kannel.smsc_idle():
            time.sleep(0.05)
        if self.proc is not None:
            stop(self.proc, timeout=5)
            self.proc = None
        # The bearerbox notices the SMSC client is gone before the next session connects.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.kannel.smsc_online():
            time.sleep(0.05)

    def __enter__(self) -> Phone:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Kannel:
    def __init__(self, workdir: Path, get_url: str, *, username: str = "tracuu",
                 password: str = "sendsms-password", short_number: str = "8077") -> None:
        self.workdir = workdir
        self.get_url = get_url
        self.username = username
        self.password = password
        self.short_number = short_number
        self.admin_password = "admin-password"
        self.admin_port = free_port()
        self.smsbox_port = free_port()
        self.smsc_port = free_port()
        self.sendsms_port = free_port()
        self.sendsms_url = f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"
        self.config = workdir / "kannel.conf"
        self.procs: list[subprocess.Popen] = []

    def write_config(self) -> None:
        log = self.workdir
        self.config.write_text(f"""\
group = core
admin-port = {self.admin_port}
admin-interface = 127.0.0.1
admin-password = {self.admin_password}
status-password = {self.admin_password}
admin-allow-ip = 127.0.0.1
smsbox-port = {self.smsbox_port}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{log}/bearerbox.log"
log-level = 0
access-log = "{log}/access.log"
dlr-storage = internal

group = smsc
smsc = fake
smsc-id = FAKE
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.smsbox_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
global-sender = {self.short_number}
log-file = "{log}/smsbox.log"
log-level = 0
mo-recode = true

group = sendsms-user
username = {self.username}
password = {self.password}
max-messages = 3
concatenation = true

group = sms-service
keyword = default
get-url = "{self.get_url}"
max-messages = 3
concatenation = true
accept-x-kannel-headers = true
omit-empty = true
""")

    def start(self) -> Kannel:
        try:
            return self._start()
        except BaseException:
            self.stop()  # whatever did start must not outlive the test
            raise

    def _start(self) -> Kannel:
        self.write_config()
        bearerbox = subprocess.Popen([_binary("bearerbox"), str(self.config)], cwd=self.workdir,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(bearerbox)
        wait_for_port(self.admin_port, proc=bearerbox)
        wait_for_port(self.smsbox_port, proc=bearerbox)
        smsbox = subprocess.Popen([_binary("smsbox"), str(self.config)], cwd=self.workdir,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(smsbox)
        wait_for_port(self.sendsms_port, proc=smsbox)
        self._wait_smsbox_connected()
        return self

    def status(self) -> str:
        response = requests.get(f"http://127.0.0.1:{self.admin_port}/status.txt",
                                 params={"password": self.admin_password}, timeout=5)
        return response.text

    def _wait_smsbox_connected(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(r"^\s*smsbox:", self.status(), re.MULTILINE):
                return
            time.sleep(0.1)
        raise TimeoutError(f"smsbox did not connect to the bearerbox:\n{self.status()}")

    def smsc_online(self) -> bool:
        return bool(re.search(r"FAKE\[FAKE\].*\(online", self.status()))

    def smsc_idle(self) -> bool:
        """Nothing waiting in the bearerbox or in the fake SMSC's queue."""
        status = self.status()
        totals = re.search(r"^SMS: received \d+ \(0 queued\), sent \d+ \(0 queued\)", status, re.MULTILINE)
        return bool(totals) and bool(re.search(r"FAKE\[FAKE\].*queued 0 msgs", status))

    def phone(self, messages: list[str] | None = None) -> Phone:
        return Phone(self, messages or [])

    def log_tail(self, name: str = "bearerbox.log", lines: int = 40) -> str:
        path = self.workdir / name
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        for proc in reversed(self.procs):
            stop(proc, timeout=10)
        self.procs.clear()
