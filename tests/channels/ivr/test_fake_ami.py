"""The fake Asterisk against the real one: replay the client side of each recording (recordings/,
from a real Asterisk 22.10.1) to the fake, and require every byte it sends back to be what the
real switch sent in that exchange, in the same order."""

from __future__ import annotations

import json
import re
import socket
import time
from collections import defaultdict, deque
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.support.fake_ami import HANGUP, FakeAsterisk, parse

RECORDINGS = Path(__file__).parent / "recordings"
# Commands the fake runs; the recordings also try ones the hotline never sends.
REPLAYED = re.compile(r'^(ANSWER|GET DATA \S+ \d+ \d+|STREAM FILE \S+ ""|SET VARIABLE .*|GET VARIABLE \S+'
                      r"|VERBOSE .*|HANGUP|NOT A REAL COMMAND)$")
_ADDRESS = re.compile(r"^((?:Local|Remote)Address: IPV4/TCP/127\.0\.0\.1/)\d+", re.MULTILINE)


def chunks(name: str) -> list[dict]:
    with open(RECORDINGS / f"{name}.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def split(stream: str) -> list[str]:
    """A server byte stream as messages: the banner line, then each blank-line-ended block."""
    banner, _, rest = stream.partition("\r\n")
    blocks = [block + "\r\n\r\n" for block in rest.split("\r\n\r\n") if block]
    return [_ADDRESS.sub(r"\g<1>PORT", m) for m in [banner + "\r\n", *blocks]]


def value(message: str, name: str) -> str:
    return dict(parse(message)).get(name, "")


class Wire:
    """A raw AMI client: sends recorded bytes, collects what comes back."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.data = b""
        self.closed = False

    def messages(self) -> list[str]:
        return split(self.data.decode())

    def pump(self, until, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not until(self.messages()) and not self.closed:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                raise AssertionError(f"no answer; got {self.messages()[-3:]}") from None
            if not chunk:
                self.closed = True
            self.data += chunk

    def settle(self, quiet: float = 0.05) -> None:
        """Read until the server has been quiet for a moment (trailing events)."""
        while not self.closed:
            self.sock.settimeout(quiet)
            try:
                chunk = self.sock.recv(65536)
            except TimeoutError:
                return
            if not chunk:
                self.closed = True
            self.data += chunk


def setup_from(recorded: list[str], name: str) -> tuple[dict, dict]:
    """The fake's identity (uptime, session, call ids) and the call's scripted keys, as recorded."""
    options: dict = {"queue_delay": 0.0, "login_failure_delay": 0.05}
    call: dict = {}
    for message in recorded:
        event, response = value(message, "Event"), value(message, "Response")
        if event == "FullyBooted":
            options["uptime"] = int(value(message, "Uptime"))
        elif event == "SuccessfulAuth":
            options["session_id"] = value(message, "SessionID")
            options["event_tv"] = value(message, "EventTV")
        elif value(message, "Ping") == "Pong" and response == "Success":
            stamp = float(value(message, "Timestamp"))
            options["timestamp"] = lambda stamp=stamp: stamp
        elif event == "AsyncAGIStart":
            channel = value(message, "Channel")
            base, _, _n = value(message, "Uniqueid").partition(".")
            lines = unquote(value(message, "Env")).split("\n")
            env = dict(line.split(": ", 1) for line in lines if ": " in line)
            options["uniqueid_base"] = base
            options["first_channel"] = int(channel.split("-")[1].split(";")[0], 16)
            call = {"caller": value(message, "CallerIDNum"), "caller_name": value(message, "CallerIDName"),
                    "thread_id": int(env["agi_threadid"])}
    if name == "asyncagi_nosounds":
        options["sounds"] = {}
    return options, call


def script_and_numbers(recorded: list[str], sent: list[str], sounds: bool) -> tuple[list[str], list[int]]:
    """What the caller keyed for each replayed GET DATA, and Asterisk's own CommandIds."""
    numbers_by_command: dict[str, deque[int]] = defaultdict(deque)
    results: dict[str, str] = {}
    for message in recorded:
        if value(message, "Event") == "AGIExecStart":
            numbers_by_command[value(message, "Command")].append(int(value(message, "CommandId")))
        if value(message, "Event") == "AsyncAGIExec":
            results[value(message, "CommandId")] = unquote(value(message, "Result")).strip()
    script, numbers = [], []
    for action in sent:
        pairs = dict(parse(action))
        command = pairs["Command"]
        if numbers_by_command[command]:
            numbers.append(numbers_by_command[command].popleft())
        if command.startswith("GET DATA"):
            result = results.get(pairs["CommandID"], "")
            digits = result.removeprefix("200 result=")
            max_digits = int(command.split()[-1])
            if digits == "-1":
                # -1: the caller hung up, or (no sounds installed) the prompt was missing.
                script.append(HANGUP if sounds else "")
            elif digits.endswith("(timeout)"):
                script.append(digits.removesuffix("(timeout)").strip())
            else:
                script.append(digits if len(digits) >= max_digits else digits + "#")
    return script, numbers


def replayable(data: str) -> bool:
    pairs = dict(parse(data))
    action = pairs.get("Action", "")
    if action == "AGI":
        return bool(REPLAYED.match(pairs.get("Command", "")))
    return action in ("Login", "Ping", "Logoff")


def is_in_order(produced: list[str], recorded: list[str]) -> tuple[bool, str]:
    position = 0
    for message in produced:
        try:
            position = recorded.index(message, position) + 1
        except ValueError:
            return False, message
    return True, ""


@pytest.mark.parametrize("name, kinds", [
    ("ping", {"Pong", "Goodbye", "FullyBooted", "SuccessfulAuth"}),
    ("login_failed", {"Authentication failed"}),
    ("asyncagi_session", {"AsyncAGIStart", "Added AGI command to queue", "AGIExecStart", "AGIExecEnd",
                          "AsyncAGIExec", "AsyncAGIEnd", "Hangup", "does not exist."}),
    ("asyncagi_dtmf", {"AsyncAGIStart", "AsyncAGIExec", "AsyncAGIEnd", "Hangup"}),
    ("asyncagi_caller_hangup", {"AsyncAGIExec", "AsyncAGIEnd", "Hangup", "does not exist."}),
    ("asyncagi_nosounds", {"AsyncAGIExec", "AsyncAGIEnd", "does not exist."}),
])
def test_the_fake_answers_as_the_recorded_asterisk(name, kinds):
    record = chunks(name)
    recorded = split("".join(c["data"] for c in record if c["dir"] == "<<<"))
    sent = [c["data"] for c in record if c["dir"] == ">>>" and replayable(c["data"])]
    agi_sent = [s for s in sent if dict(parse(s)).get("Action") == "AGI"]
    options, call_setup = setup_from(recorded, name)
    script, numbers = script_and_numbers(recorded, agi_sent, sounds=options.get("sounds") != {})
    fake = FakeAsterisk(exec_numbers=numbers, **options).start()
    try:
        wire = Wire(fake.port)
        wire.pump(lambda m: len(m) >= 1 and m[0].startswith("Asterisk"))
        placed = False
        for data in sent:
            pairs = dict(parse(data))
            if pairs["Action"] == "AGI" and not placed and call_setup:
                fake.call(keys=script, **call_setup)
                wire.pump(lambda m: any(value(x, "Event") == "AsyncAGIStart" for x in m))
                placed = True
            wire.sock.sendall(data.encode())
            action_id = pairs["ActionID"]
            wire.pump(lambda m, a=action_id: any(value(x, "ActionID") == a for x in m))
            if pairs["Action"] == "AGI":
                answer = next(x for x in wire.messages() if value(x, "ActionID") == action_id)
                if value(answer, "Response") == "Success":
                    wire.pump(lambda m, c=pairs["CommandID"]: any(
                        value(x, "Event") == "AsyncAGIExec" and value(x, "CommandId") == c for x in m))
            wire.settle()
        produced = wire.messages()
    finally:
        fake.stop()
    expected_order, missing = is_in_order(produced, recorded)
    assert expected_order, f"the fake sent bytes the real Asterisk did not:\n{missing!r}"
    text = "".join(produced)
    for kind in kinds:
        assert kind in text, kind
    assert len(produced) >= 2, produced
