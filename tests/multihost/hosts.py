"""Several hosts on one machine: Linux network namespaces joined by veth links to a bridge.

Every name carries this process's id, so two runs on one machine never collide, and
`Network.close()` removes every namespace it made (the links go with them). The bridge lives
in a namespace of its own: nothing is added to the machine's own network, and the test talks
to its hosts from threads that enter a host's namespace (`Host.call`).
"""

from __future__ import annotations

import ctypes
import os
import shlex
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
CLONE_NEWNET = 0x40000000
SUBNET = "10.20.0"  # inside our own namespaces only; deploy/nginx/tracuu.conf names .11 and .12
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class Host:
    def __init__(self, network: Network, name: str, number: int) -> None:
        self.network = network
        self.name = name
        self.netns = f"{network.prefix}-{name}"
        self.address = f"{SUBNET}.{number}"
        self.procs: list[subprocess.Popen] = []

    def popen(
        self,
        argv: list[str],
        *,
        log: Path,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
    ) -> subprocess.Popen:
        """Start `argv` on this host, in a session of its own (so `kill` takes all its processes)."""
        prefix = ["ip", "netns", "exec", self.netns]
        if user:
            prefix += ["runuser", "-u", user, "--"]
        with log.open("ab") as out:
            proc = subprocess.Popen(
                prefix + argv,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.procs.append(proc)
        return proc

    def run(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess:
        return subprocess.run(["ip", "netns", "exec", self.netns, *argv], **kwargs)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Every process this host started, as a dying machine would lose them."""
        for proc in self.procs:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs = [p for p in self.procs if p.poll() is None]

    def call(self, fn: Callable[..., T], *args: Any, timeout: float | None = None) -> T:
        """Run `fn` in a thread that lives in this host's network namespace: every socket it
        opens is this host's. Its result, or its exception."""
        box: dict[str, Any] = {}

        def inside() -> None:
            try:
                enter(self.netns)
                box["result"] = fn(*args)
            except BaseException as error:  # handed to the caller
                box["error"] = error

        thread = threading.Thread(target=inside, name=f"in-{self.name}", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            raise TimeoutError(f"{fn} on {self.name} still running after {timeout} s")
        if "error" in box:
            raise box["error"]
        return box["result"]

    def thread(self, fn: Callable[..., Any], *args: Any) -> threading.Thread:
        """`fn` on a thread of its own in this host's namespace, started."""

        def inside() -> None:
            enter(self.netns)
            fn(*args)

        thread = threading.Thread(target=inside, name=f"in-{self.name}", daemon=True)
        thread.start()
        return thread


def enter(netns: str) -> None:
    """This thread (only) joins the namespace: setns(2) on a network namespace is per thread."""
    fd = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {netns}")
    finally:
        os.close(fd)


class Network:
    """A switch (a bridge in its own namespace) and hosts plugged into it."""

    def __init__(self) -> None:
        self.prefix = f"tr{os.getpid()}"
        self.switch = f"{self.prefix}-sw"
        self.hosts: dict[str, Host] = {}
        ip("netns", "add", self.switch)
        ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        ip("-n", self.switch, "link", "set", "br0", "up")

    def add(self, name: str, number: int) -> Host:
        host = Host(self, name, number)
        ip("netns", "add", host.netns)
        inside, outside = f"{self.prefix}h{number}", f"{self.prefix}s{number}"
        ip("link", "add", inside, "type", "veth", "peer", "name", outside)
        ip("link", "set", inside, "netns", host.netns)
        ip("link", "set", outside, "netns", self.switch)
        ip("-n", self.switch, "link", "set", outside, "master", "br0", "up")
        ip("-n", host.netns, "link", "set", inside, "name", "eth0")
        ip("-n", host.netns, "addr", "add", f"{host.address}/24", "dev", "eth0")
        ip("-n", host.netns, "link", "set", "eth0", "up")
        ip("-n", host.netns, "link", "set", "lo", "up")
        self.hosts[name] = host
        return host

    def close(self) -> None:
        for host in self.hosts.values():
            host.kill()
        for host in self.hosts.values():
            subprocess.run(["ip", "netns", "del", host.netns], capture_output=True)
        subprocess.run(["ip", "netns", "del", self.switch], capture_output=True)


def unit_command(unit: Path, root: Path) -> list[str]:
    """ExecStart of a systemd unit as argv, with the checkout where /opt/tracuu would be."""
    for line in unit.read_text().splitlines():
        if line.startswith("ExecStart="):
            command = line.split("=", 1)[1].replace("%%", "%").replace("/opt/tracuu", str(root))
            return shlex.split(command)
    raise ValueError(f"no ExecStart in {unit}")


def available() -> str | None:
    """Why this machine cannot build hosts, or None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"trprobe{os.getpid()}"
    result = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if result.returncode != 0:
        return f"ip netns add failed: {result.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None
