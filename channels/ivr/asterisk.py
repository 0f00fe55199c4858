"""Asterisk adapter: every call that enters `AGI(agi:async)` is driven over AMI (AsyncAGI).

The only module that imports `asterisk.ami` (asterisk-ami 0.1.7, the card's AMI client).
Its known defects and what we do about them:

* the socket timeout it sets for connecting stays on the socket, so its reader thread dies
  after any quiet spell longer than the timeout: `_Client.connect` makes the socket blocking
  once connected, and a keep-alive `Ping` finds a dead link instead;
* a future waited on inside an event listener deadlocks (the listener runs on the reader
  thread, which is the one that would deliver the response): listeners here never wait;
  actions sent from them take callbacks, and the flow runs on a worker pool;
* `FutureResponse.set_response` calls `traceback.print_exc()` without importing `traceback`,
  so a callback error kills the reader with a NameError: every callback we hand it is wrapped
  so it cannot raise, and the missing name is supplied;
* `Condition.notifyAll` DeprecationWarnings: harmless, filtered in pyproject for the tests;
* `send()` uses `socket.send`, which may write part of a message, from any thread:
  `_Client.send` uses `sendall` under a lock.

One AMI link serves every call; each call has its own state and at most one question
outstanding. When the link drops we reconnect with backoff; calls that were in progress
hear "please try again later" (the switch keeps them in AsyncAGI) and are hung up.
"""

from __future__ import annotations

import itertools
import logging
import random
import socket
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from asterisk.ami import Action, AMIClient
from asterisk.ami import response as ami_response

from channels.ivr import flow, prompts
from channels.ivr.driver import Driver
from channels.ivr.flow import Ask, Hangup, Keys, Line, Output, Say, Start, State, Transfer
from channels.ivr.prompts import PromptStore, RenderError

log = logging.getLogger(__name__)

TRANSFER_VARIABLE = "IVR_TRANSFER"


class _Client(AMIClient):
    """asterisk-ami's AMIClient with its defects worked around (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._send_lock = threading.Lock()
        # The module forgot `import traceback`; a failing callback would kill the reader.
        if not hasattr(ami_response, "traceback"):
            ami_response.traceback = traceback

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self._port), timeout=self._timeout)
        # Blocking from now on: the timeout was for connecting, not for a quiet line.
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket = sock
        self.finished = threading.Event()
        self._thread = threading.Thread(target=self.listen, name="ami-reader", daemon=True)
        self._thread.start()

    def listen(self) -> None:
        try:
            super().listen()
        except Exception as error:  # no banner (closed at once): the library raises outside its try
            self._fire_on_disconnect(error=error)

    def send(self, pack: Any) -> None:
        data = (str(pack) + "\r\n").encode(self.encoding)
        with self._send_lock:
            self._socket.sendall(data)

    def disconnect(self) -> None:
        if self.finished is not None:
            self.finished.set()
        if self._socket is not None:
            try:
                # close() alone does not wake a thread blocked in recv() on Linux.
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._socket.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(self._timeout)


def _header(event: Any, name: str) -> str:
    """A header of an event, by name in any case (`CommandID` sent comes back as `CommandId`)."""
    keys = event.keys
    if name in keys:
        return keys[name]
    lowered = name.lower()
    return next((v for k, v in keys.items() if k.lower() == lowered), "")


def _command_id(event: Any) -> str:
    # Asterisk spells it `CommandId` in AsyncAGIExec; look that up first, it runs on every turn.
    value = event.keys.get("CommandId")
    return value if value is not None else _header(event, "CommandID")


def parse_env(encoded: str) -> dict[str, str]:
    """AsyncAGIStart's URL-encoded `Env`: `agi_name: value` lines."""
    env = {}
    for line in unquote(encoded).split("\n"):
        key, sep, value = line.partition(": ")
        if sep:
            env[key] = value
    return env


def parse_result(encoded: str) -> tuple[int, str, str]:
    """AsyncAGIExec's URL-encoded `Result`, e.g. `200 result=4271`, `200 result= (timeout)`,
    `200 result=5 (timeout)`: (code, result value, the rest)."""
    text = unquote(encoded).strip()
    code_text, _, rest = text.partition(" ")
    try:
        code = int(code_text)
    except ValueError:
        code = 0
    if not rest.startswith("result="):
        return code, "", rest
    value, _, extra = rest[len("result="):].partition(" ")
    return code, value, extra


def caller_number(env: dict[str, str]) -> str:
    number = env.get("agi_callerid", "")
    return "" if number in ("", "unknown", "<unknown>") else number


class _Listing:
    """The answer to one CoreShowChannels: channels in AGI(agi:async), filled by the reader."""

    def __init__(self, action_id: str) -> None:
        self.action_id = action_id
        self.channels: list[tuple[str, str]] = []
        self.done = threading.Event()

    def add(self, event: Any) -> None:
        if event.name == "CoreShowChannelsComplete":
            self.done.set()
        elif (_header(event, "Application") == "AGI"
              and _header(event, "ApplicationData").startswith("agi:async")):
            number = _header(event, "CallerIDNum")
            self.channels.append((_header(event, "Channel"),
                                  "" if number in ("", "<unknown>", "unknown") else number))


@dataclass
class _Call:
    channel: str
    number: int
    caller: str
    state: State = field(default_factory=State)
    awaiting: str = ""
    ended: bool = False
    orphaned: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    commands: itertools.count = field(default_factory=lambda: itertools.count(1))


class AsteriskAdapter:
    """Log in to AMI, drive every AsyncAGI call through the flow, stay connected."""

    def __init__(self, driver: Driver, store: PromptStore, host: str, port: int, username: str,
                 secret: str, *, keepalive: float = 20.0, timeout: float = 3.0,
                 backoff: tuple[float, float] = (0.5, 30.0), workers: int = 32,
                 clock: Callable[[], float] = time.time) -> None:
        self.driver = driver
        self.store = store
        self.host, self.port, self.username, self.secret = host, port, username, secret
        self.keepalive = keepalive
        self.timeout = timeout
        self.backoff = backoff
        self.clock = clock
        # Set once logged in and caught up with the calls already waiting (tests wait on it).
        self.connected = threading.Event()
        self._online = threading.Event()  # logged in: commands may be sent
        self.client: _Client | None = None
        self._calls: dict[str, _Call] = {}
        self._calls_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ivr-call")
        self._stopping = threading.Event()
        self._link_down = threading.Event()
        self._action_ids = itertools.count(1)
        self._call_numbers = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._listing: _Listing | None = None
        # Channels told "try again later": never adopted again as if they were new.
        self._apologised: set[str] = set()
        self.connections = 0

    # Life

    def start(self) -> AsteriskAdapter:
        self._thread = threading.Thread(target=self.run, name="ivr-asterisk", daemon=True)
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Safe from a signal handler: `run()` logs off and returns soon after."""
        self._stopping.set()
        self._link_down.set()

    def wait_stopped(self, timeout: float) -> bool:
        return self._stopping.wait(timeout)

    def stop(self) -> None:
        self._stopping.set()
        self._link_down.set()
        if self._thread is not None:
            self._thread.join(10)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def run(self) -> None:
        """Connect, log in, keep the link alive; reconnect with backoff until `stop()`."""
        failures = 0
        while not self._stopping.is_set():
            client = self._login()
            if client is None:
                failures += 1
                self._stopping.wait(self._delay(failures))
                continue
            failures = 0
            self.connections += 1
            self.client = client
            self._online.set()
            log.info("AMI: logged in to %s:%s", self.host, self.port)
            self._apologise_to_orphans()
            self._adopt_waiting(client)
            self.connected.set()
            self._keep_alive(client)
            self._online.clear()
            self.connected.clear()
            self._orphan_calls()
            if self._stopping.is_set():
                self._logoff(client)
            client.disconnect()
            if not self._stopping.is_set():
                log.warning("AMI: link to %s:%s lost; reconnecting", self.host, self.port)

    def _delay(self, failures: int) -> float:
        low, high = self.backoff
        return min(high, low * 2 ** (failures - 1)) * random.uniform(0.8, 1.2)

    def _login(self) -> _Client | None:
        self._link_down.clear()
        client = _Client(address=self.host, port=self.port, timeout=self.timeout)
        client.add_listener(on_disconnect=self._on_disconnect)
        client.add_event_listener(self._on_event)
        try:
            client.connect()
            action = Action("Login", {"ActionID": self._action_id(), "Username": self.username,
                                      "Secret": self.secret, "Events": "agi"})
            response = client.send_action(action).response
        except OSError as error:
            log.warning("AMI: cannot reach %s:%s (%s)", self.host, self.port, error)
            client.disconnect()
            return None
        if response is None or response.is_error():
            message = (response.keys.get("Message", "") if response is not None
                       else "closed without answering" if client.finished.is_set() else "no answer in time")
            log.error("AMI: login as %r refused: %s (check ASTERISK_AMI_USERNAME/SECRET and manager.conf)",
                      self.username, message)
            client.disconnect()
            return None
        return client

    def _adopt_waiting(self, client: _Client) -> None:
        """Callers who entered AsyncAGI while we were away (their AsyncAGIStart went to nobody)
        would wait in silence: list the channels in `AGI(agi:async)` and start their calls."""
        listing = _Listing(self._action_id())
        self._listing = listing
        try:
            action = Action("CoreShowChannels", {"ActionID": listing.action_id})
            response = client.send_action(action).response
            if response is None or response.is_error() or not listing.done.wait(self.timeout):
                return
        except OSError:
            return
        finally:
            self._listing = None
        for channel, caller in listing.channels:
            with self._calls_lock:
                if channel in self._calls or channel in self._apologised:
                    continue
                call = _Call(channel=channel, number=next(self._call_numbers), caller=caller)
                self._calls[channel] = call
            log.info("AMI: %s was waiting in AsyncAGI; starting its call", channel)
            self._pool.submit(self._advance, call, Start(call.caller, self.clock()))

    def _keep_alive(self, client: _Client) -> None:
        while not self._stopping.is_set() and not client.finished.is_set():
            if self._link_down.wait(self.keepalive):
                return
            if not self.ping(client):
                log.warning("AMI: no answer to Ping within %ss", self.timeout)
                return

    def ping(self, client: _Client | None = None) -> bool:
        """One AMI Ping round trip (not from the reader thread: this waits)."""
        client = client or self.client
        if client is None:
            return False
        try:
            response = client.send_action(Action("Ping", {"ActionID": self._action_id()})).response
        except OSError:
            return False
        return response is not None and not response.is_error()

    def _logoff(self, client: _Client) -> None:
        try:
            client.send_action(Action("Logoff", {"ActionID": self._action_id()}))
        except OSError:
            pass

    def _on_disconnect(self, source: Any = None, error: Any = None) -> None:
        self._link_down.set()

    def _action_id(self) -> str:
        return f"tracuu-{next(self._action_ids)}"

    # Calls

    @property
    def calls(self) -> int:
        with self._calls_lock:
            return len(self._calls)

    def _on_event(self, event: Any = None, source: Any = None, **_: Any) -> None:
        """Runs on the library's reader thread: never waits, never raises."""
        try:
            self._dispatch(event)
        except Exception:
            log.exception("AMI: event %s not handled", getattr(event, "name", "?"))

    def _dispatch(self, event: Any) -> None:
        name = event.name
        listing = self._listing
        if listing is not None and name.startswith("CoreShowChannel"):
            if _header(event, "ActionID") == listing.action_id:
                listing.add(event)
            return
        if name == "AsyncAGIStart":
            env = parse_env(_header(event, "Env"))
            channel = _header(event, "Channel") or env.get("agi_channel", "")
            call = _Call(channel=channel, number=next(self._call_numbers), caller=caller_number(env))
            with self._calls_lock:
                if channel in self._calls:  # already adopted from a CoreShowChannels listing
                    return
                self._calls[channel] = call
            self._turn(call, Start(call.caller, self.clock()))
            return
        if name not in ("AsyncAGIExec", "AsyncAGIEnd", "Hangup"):
            return
        with self._calls_lock:
            call = self._calls.get(_header(event, "Channel"))
        if call is None:
            return
        if name == "AsyncAGIExec":
            code, value, _rest = parse_result(_header(event, "Result"))
            if _command_id(event) != call.awaiting:
                if value == "-1":
                    call.ended = True
                return
            call.awaiting = ""
            if code != 200 or value == "-1":
                # -1: the caller hung up (AsyncAGIEnd follows) or a sound is missing on the switch.
                why = f"{code} result={value} (a hang-up, or the switch cannot read {self.store.directory})"
                self._pool.submit(self._fail, call, why)
                return
            self._turn(call, Keys(value, self.clock()))
            return
        self._end(call)

    def _end(self, call: _Call) -> None:
        # No call.lock here: this runs on the reader thread, which must not wait for a render.
        call.ended = True
        with self._calls_lock:
            self._calls.pop(call.channel, None)

    def _turn(self, call: _Call, event: Start | Keys) -> None:
        """On the reader thread: answer at once when nothing would wait (the usual case: prompt
        files already rendered, any lookup prefetched); otherwise hand the turn to the pool."""
        if not self._answer_now(call, event):
            self._pool.submit(self._advance, call, event)

    def _answer_now(self, call: _Call, event: Start | Keys) -> bool:
        if not call.lock.acquire(blocking=False):
            return False
        try:
            if call.ended or call.orphaned:
                return True
            advanced = self.driver.advance(call.state, event, wait=False)
            if advanced is None:
                return False
            state, outputs = advanced
            commands = self._commands(outputs, state.lang, render=False)
            if commands is None:
                return False
            call.state = state
            self._send_commands(call, commands)
            # After sending: the lookup thread would otherwise hold up this turn's command.
            self.driver.prefetch(state)
            return True
        except Exception:
            log.exception("IVR: call on %s: quick turn failed; trying again on the pool", call.channel)
            return False
        finally:
            call.lock.release()

    def _advance(self, call: _Call, event: Start | Keys) -> None:
        with call.lock:
            if call.ended or call.orphaned:
                return
            try:
                state, outputs = self.driver.advance(call.state, event)
                commands = self._commands(outputs, state.lang) or []
                call.state = state
            except Exception:
                log.exception("IVR: call on %s failed", call.channel)
                commands = self._apology(call.state.lang)
            self._send_commands(call, commands)
            self.driver.prefetch(call.state)

    def _fail(self, call: _Call, why: str) -> None:
        """A command failed without a hang-up (e.g. a sound Asterisk cannot find): end politely."""
        with call.lock:
            if call.ended:
                return
            log.warning("IVR: call on %s: %s; ending it", call.channel, why)
            call.state = State(stage=flow.DONE, lang=call.state.lang)
            self._send_commands(call, [("HANGUP", False)])

    def _commands(self, outputs: list[Output], lang: str,
                  render: bool = True) -> list[tuple[str, bool]] | None:
        """AGI commands for the outputs; True marks the one whose result the flow waits for.

        With `render=False`, None when a prompt file is not rendered yet.
        """
        commands: list[tuple[str, bool]] = []
        for output in outputs:
            if isinstance(output, Ask | Say):
                path = self._sound(output, render)
                if path is None:
                    return None
                if isinstance(output, Ask):
                    commands.append((f"GET DATA {path} {output.timeout * 1000} {output.max_digits}", True))
                else:
                    commands.append((f'STREAM FILE {path} ""', False))
            elif isinstance(output, Transfer):
                # The dialplan after AGI(agi:async) dials ${IVR_TRANSFER} (docs/ivr.md).
                commands.append((f"SET VARIABLE {TRANSFER_VARIABLE} {output.number}", False))
                commands.append(("ASYNCAGI BREAK", False))
            elif isinstance(output, Hangup):
                commands.append(("HANGUP", False))
        return commands

    def _sound(self, prompt: Ask | Say, render: bool = True) -> str | None:
        """The prompt's file as Asterisk names it: an absolute path without the extension."""
        parts = prompts.segments(prompt)
        path = self.store.ensure(parts) if render else self.store.ready(parts)
        return None if path is None else str(path)[:-len(path.suffix)]

    def _apology(self, lang: str) -> list[tuple[str, bool]]:
        try:
            return [(f'STREAM FILE {self._sound(Say(lang, (Line("try_later"),)))} ""', False),
                    ("HANGUP", False)]
        except RenderError:
            return [("HANGUP", False)]

    def _send_commands(self, call: _Call, commands: list[tuple[str, bool]]) -> None:
        client = self.client
        if client is None or not self._online.is_set():
            call.orphaned = True
            return
        for command, awaited in commands:
            command_id = f"{call.number}-{next(call.commands)}"
            if awaited:
                call.awaiting = command_id
            action = Action("AGI", {"ActionID": self._action_id(), "Channel": call.channel,
                                    "Command": command, "CommandID": command_id})
            try:
                client.send_action(action, callback=self._queued_callback(call))
            except OSError:
                call.orphaned = True
                return

    def _queued_callback(self, call: _Call) -> Callable[[Any], None]:
        def queued(response: Any) -> None:
            # Runs on the reader thread; must not raise (see the module docstring).
            try:
                if response.is_error():
                    log.info("AMI: %s is gone (%s)", call.channel, response.keys.get("Message", ""))
                    self._end(call)
            except Exception:
                log.exception("AMI: AGI response for %s not handled", call.channel)
        return queued

    def _orphan_calls(self) -> None:
        with self._calls_lock:
            for call in self._calls.values():
                call.orphaned = True

    def _apologise_to_orphans(self) -> None:
        """Calls that were in progress when the link dropped: say sorry and hang up."""
        with self._calls_lock:
            orphans = [c for c in self._calls.values() if c.orphaned]
            for call in orphans:
                del self._calls[call.channel]
                self._apologised.add(call.channel)
            if len(self._apologised) > 10_000:
                self._apologised = {c.channel for c in orphans}
        for call in orphans:
            self._pool.submit(self._send_apology, call)

    def _send_apology(self, call: _Call) -> None:
        with call.lock:
            call.orphaned = False
            call.ended = True
            self._send_commands(call, self._apology(call.state.lang))
