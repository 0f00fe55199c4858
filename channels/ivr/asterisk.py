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
outstanding. Each call's state is also saved (call_state.py, Redis, keyed by the channel), so
when the link drops, or the adapter is redeployed, the call carries on once we are logged in
again: we ask the switch for the channel's `UNIQUEID` (an AGI command, so it runs after
whatever the channel was still doing); if the result we were waiting for arrives first, the
call simply goes on; if the probe's answer comes first, that result was lost while we were
away, and the call's last prompt is played again.
"""

from __future__ import annotations

import logging
import random
import secrets
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

import metrics
from channels.ivr import flow, prompts
from channels.ivr.call_state import CallStates
from channels.ivr.driver import Driver
from channels.ivr.flow import Ask, Hangup, Keys, Line, Output, Say, Start, State, Transfer
from channels.ivr.prompts import PromptStore, RenderError

log = logging.getLogger(__name__)

TRANSFER_VARIABLE = "IVR_TRANSFER"
# Reconnect backoff: from half a second, doubling, never over five (issue 12: a short outage
# must not outlast a caller's patience).
BACKOFF = (0.5, 5.0)
# Asks the switch which call is on a channel; runs after whatever the channel is still doing.
PROBE = "GET VARIABLE UNIQUEID"

Command = tuple[str, bool]  # an AGI command, and whether the flow waits for its result


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
        self.channels: dict[str, tuple[str, str]] = {}  # channel -> (caller, uniqueid)
        self.done = threading.Event()

    def add(self, event: Any) -> None:
        if event.name == "CoreShowChannelsComplete":
            self.done.set()
        elif (_header(event, "Application") == "AGI"
              and _header(event, "ApplicationData").startswith("agi:async")):
            number = _header(event, "CallerIDNum")
            self.channels[_header(event, "Channel")] = (
                "" if number in ("", "<unknown>", "unknown") else number, _header(event, "Uniqueid"))


@dataclass
class _Call:
    channel: str
    caller: str
    uniqueid: str = ""
    # Makes our CommandIDs unique across links and processes: `token-seq`.
    token: str = field(default_factory=lambda: secrets.token_hex(4))
    seq: int = 0
    state: State = field(default_factory=State)
    awaiting: str = ""  # the CommandID whose result the flow waits for
    turn: list[Command] = field(default_factory=list)  # the last turn, to play again if it was lost
    ended: bool = False
    stale: bool = False  # the link dropped since the last turn: its result may be lost
    probe: str = ""  # CommandID of the PROBE sent to find out
    checking: str = ""  # CommandID of the HANGUP sent after a prompt failed (see `_prompt_failed`)
    failed_prompt: str = ""  # the sound of a prompt that answered -1
    unplayable: bool = False  # ... and the caller was still there: the switch cannot play it
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self) -> str:
        self.seq += 1
        return f"{self.token}-{self.seq}"

    def record(self) -> Callable[[], dict[str, Any]]:
        """Where the call is now, as a function the state writer calls later, off this thread
        (the state is immutable and each turn is a new list, so nothing here changes under it)."""
        uniqueid, caller, token, seq = self.uniqueid, self.caller, self.token, self.seq
        state, awaiting, turn = self.state, self.awaiting, self.turn
        return lambda: {"uniqueid": uniqueid, "caller": caller, "token": token, "seq": seq,
                        "state": state.to_dict(), "awaiting": awaiting, "turn": turn}

    @classmethod
    def from_record(cls, channel: str, data: dict[str, Any]) -> _Call:
        """Raises ValueError, TypeError or KeyError for a record we did not write."""
        return cls(channel=channel, caller=str(data["caller"]), uniqueid=str(data["uniqueid"]),
                   token=str(data["token"]), seq=int(data["seq"]), state=State.from_dict(data["state"]),
                   awaiting=str(data["awaiting"]),
                   turn=[(str(command), bool(awaited)) for command, awaited in data["turn"]])


class AsteriskAdapter:
    """Log in to AMI, drive every AsyncAGI call through the flow, stay connected."""

    def __init__(self, driver: Driver, store: PromptStore, host: str, port: int, username: str,
                 secret: str, *, states: CallStates | None = None, keepalive: float = 20.0,
                 timeout: float = 3.0, backoff: tuple[float, float] = BACKOFF, workers: int = 32,
                 clock: Callable[[], float] = time.time) -> None:
        self.driver = driver
        self.store = store
        self.states = states
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
        self._action_ids = iter(range(1, 2**62))
        self._thread: threading.Thread | None = None
        self._listing: _Listing | None = None
        self._unplayable_said = False
        self.connections = 0

    # Life

    def start(self) -> AsteriskAdapter:
        self._check_audio()
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
        """Log off and stop. Calls in progress are left on the switch, their states saved: the
        next adapter to log in carries them on."""
        self._stopping.set()
        self._link_down.set()
        if self._thread is not None:
            self._thread.join(10)
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self.states is not None:
            self.states.close()

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
            self._carry_on(self._list_channels(client))
            self.connected.set()
            self._keep_alive(client)
            self._online.clear()
            self.connected.clear()
            self._mark_stale()
            if self._stopping.is_set():
                self._logoff(client)
            client.disconnect()
            if not self._stopping.is_set():
                log.warning("AMI: link to %s:%s lost; reconnecting", self.host, self.port)

    def _delay(self, failures: int) -> float:
        low, high = self.backoff
        return min(high, low * 2 ** min(failures - 1, 30) * random.uniform(0.8, 1.2))

    def _check_audio(self) -> None:
        """Say plainly, before any call, when the switch will not be able to play our prompts."""
        for problem in self.store.unreadable():
            log.error("IVR: %s", problem)

    def _login(self) -> _Client | None:
        self._link_down.clear()
        # Before logging in: a result that arrives right after the login must find its call.
        self._restore_saved()
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

    def _list_channels(self, client: _Client) -> dict[str, tuple[str, str]] | None:
        """The channels in `AGI(agi:async)` now, or None when the switch would not say."""
        listing = _Listing(self._action_id())
        self._listing = listing
        try:
            action = Action("CoreShowChannels", {"ActionID": listing.action_id})
            response = client.send_action(action).response
            if response is not None and response.is_error():
                log.error("AMI: CoreShowChannels refused (%s): a caller who reaches the hotline while "
                          "this adapter is away (a lost link, a redeploy) waits in silence until the "
                          "dialplan's TIMEOUT(absolute). Give the manager.conf user %r "
                          "`write = agi,reporting` (docs/ivr.md).", response.keys.get("Message", ""),
                          self.username)
                return None
            if response is None or not listing.done.wait(self.timeout):
                log.warning("AMI: no list of channels within %ss; callers who arrived while we were "
                            "away are not picked up this time", self.timeout)
                return None
        except OSError:
            return None
        finally:
            self._listing = None
        return listing.channels

    def _carry_on(self, listed: dict[str, tuple[str, str]] | None) -> None:
        """After a login: carry on the calls we were driving (in memory after a lost link, from
        Redis after a redeploy) and start those that arrived while nobody was listening."""
        with self._calls_lock:
            stale = [c for c in self._calls.values() if c.stale and not c.ended]
        for call in stale:
            if listed is not None:
                entry = listed.get(call.channel)
                if entry is None or (call.uniqueid and entry[1] and entry[1] != call.uniqueid):
                    self._forget(call)  # hung up while we were away (or the name is another call's now)
                    continue
            self._pool.submit(self._probe, call)
        for channel, (caller, uniqueid) in (listed or {}).items():
            with self._calls_lock:
                if channel in self._calls:
                    continue
                call = self._calls[channel] = _Call(channel=channel, caller=caller, uniqueid=uniqueid)
                metrics.ivr_calls_active(len(self._calls))
            log.info("AMI: %s was waiting in AsyncAGI; starting its call", channel)
            self._pool.submit(self._advance, call, Start(call.caller, self.clock()))

    def _restore_saved(self) -> None:
        """The calls saved in Redis that we do not have in memory (we were just deployed)."""
        if self.states is None:
            return
        with self._calls_lock:
            known = set(self._calls)
        for channel in self.states.channels():
            if channel not in known:
                call = self._restore(channel)
                if call is not None:
                    with self._calls_lock:
                        self._calls.setdefault(channel, call)

    def _restore(self, channel: str) -> _Call | None:
        record = self.states.load(channel) if self.states is not None else None
        if record is None:
            return None
        try:
            call = _Call.from_record(channel, record)
        except (ValueError, TypeError, KeyError):
            log.warning("IVR: the saved state of %s is not one we wrote; dropped", channel)
            self.states.forget(channel)
            return None
        call.stale = True
        return call

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

    def _mark_stale(self) -> None:
        with self._calls_lock:
            for call in self._calls.values():
                call.stale = True

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
            uniqueid = _header(event, "Uniqueid") or env.get("agi_uniqueid", "")
            call = _Call(channel=channel, caller=caller_number(env), uniqueid=uniqueid)
            with self._calls_lock:
                known = self._calls.get(channel)
                if known is not None and known.uniqueid == uniqueid and not known.ended:
                    return  # already started from a CoreShowChannels listing
                self._calls[channel] = call
                metrics.ivr_calls_active(len(self._calls))
            self._turn(call, Start(call.caller, self.clock()))
            return
        if name not in ("AsyncAGIExec", "AsyncAGIEnd", "Hangup"):
            return
        with self._calls_lock:
            call = self._calls.get(_header(event, "Channel"))
        if call is None:
            return
        if name != "AsyncAGIExec":
            self._end(call)
            return
        command_id = _command_id(event)
        code, value, rest = parse_result(_header(event, "Result"))
        if command_id == call.probe:
            self._probed(call, value, rest)
        elif command_id == call.checking:
            if code == 200:
                call.unplayable = True  # the HANGUP ran: the caller was there, the prompt did not play
                self._say_unplayable(call)
        elif command_id != call.awaiting:
            if value == "-1":  # a STREAM FILE that did not play to the end
                call.failed_prompt = call.failed_prompt or "a prompt"
        elif code != 200 or value == "-1":
            # -1: the caller hung up (AsyncAGIEnd follows at once) or the switch cannot play it.
            call.awaiting = ""
            call.stale = False
            call.failed_prompt = next((c for c, awaited in call.turn if awaited), "a prompt")
            self._pool.submit(self._prompt_failed, call)
        else:
            call.awaiting = ""
            if call.stale:
                call.stale = False
                log.info("IVR: call on %s carries on where it was (after a lost link or a redeploy)",
                         call.channel)
            self._turn(call, Keys(value, self.clock()))

    def _end(self, call: _Call) -> None:
        # No call.lock here: this runs on the reader thread, which must not wait for a render.
        if call.ended:
            return
        call.ended = True
        self._forget(call)
        if call.failed_prompt and not call.unplayable:
            log.info("IVR: the caller on %s hung up during a prompt", call.channel)

    def _forget(self, call: _Call) -> None:
        call.ended = True
        with self._calls_lock:
            if self._calls.get(call.channel) is call:
                del self._calls[call.channel]
            metrics.ivr_calls_active(len(self._calls))
        if self.states is not None:
            self.states.forget(call.channel)

    def _turn(self, call: _Call, event: Start | Keys) -> None:
        """On the reader thread: answer at once when nothing would wait (the usual case: prompt
        files already rendered, any lookup prefetched); otherwise hand the turn to the pool."""
        if not self._answer_now(call, event):
            self._pool.submit(self._advance, call, event)

    def _answer_now(self, call: _Call, event: Start | Keys) -> bool:
        if not call.lock.acquire(blocking=False):
            return False
        try:
            if call.ended:
                return True
            advanced = self.driver.advance(call.state, event, wait=False)
            if advanced is None:
                return False
            state, outputs = advanced
            commands = self._commands(outputs, state.lang, render=False)
            if commands is None:
                return False
            call.state = state
            self._play(call, commands)
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
            if call.ended:
                return
            try:
                state, outputs = self.driver.advance(call.state, event)
                commands = self._commands(outputs, state.lang) or []
                call.state = state
            except Exception:
                log.exception("IVR: call on %s failed", call.channel)
                commands = self._apology(call.state.lang)
                call.state = State(stage=flow.DONE, lang=call.state.lang)
            self._play(call, commands)
            self.driver.prefetch(call.state)

    def _probe(self, call: _Call) -> None:
        """After a login, for a call we were driving: find out whether its result was lost."""
        with call.lock:
            if call.ended or not call.stale:
                return
            call.probe = call.next_id()
            self._send(call, PROBE, call.probe)

    def _probed(self, call: _Call, value: str, rest: str) -> None:
        call.probe = ""
        uniqueid = rest.strip().strip("()") if value == "1" else ""
        if call.uniqueid and uniqueid and uniqueid != call.uniqueid:
            # The channel's name now belongs to another call (the switch restarted): a new caller.
            log.info("IVR: %s is a new call now; starting it", call.channel)
            fresh = _Call(channel=call.channel, caller="", uniqueid=uniqueid)
            with self._calls_lock:
                self._calls[call.channel] = fresh
            self._pool.submit(self._advance, fresh, Start("", self.clock()))
            return
        if call.stale:
            self._pool.submit(self._play_again, call)

    def _play_again(self, call: _Call) -> None:
        """The result of the call's last turn was lost while we were away: play that turn again."""
        with call.lock:
            if call.ended or not call.stale:
                return
            call.stale = False
            if call.turn:
                log.info("IVR: call on %s carries on; its last answer was lost, so its last prompt "
                         "is played again", call.channel)
                self._play(call, list(call.turn))
            elif call.state.stage == flow.NEW:
                self._pool.submit(self._advance, call, Start(call.caller, self.clock()))
            else:
                self._play(call, [("HANGUP", False)])

    def _prompt_failed(self, call: _Call) -> None:
        """A prompt answered -1: the caller hung up during it, or the switch cannot play the file.
        Hanging up tells them apart: a channel that is gone refuses it (or has ended already),
        one whose caller is still there runs it (then `_say_unplayable`)."""
        with call.lock:
            if call.ended:
                return
            call.state = State(stage=flow.DONE, lang=call.state.lang)
            call.checking = call.next_id()
            self._send(call, "HANGUP", call.checking)

    def _say_unplayable(self, call: _Call) -> None:
        sound = call.failed_prompt
        if not self._unplayable_said:
            self._unplayable_said = True
            log.error("IVR: Asterisk could not play %s and the caller on %s was still on the line: "
                      "the switch must read IVR_AUDIO_DIR (%s) at that same path, as its own user "
                      "(docs/ivr.md, The switch). The call was ended.", sound, call.channel,
                      self.store.directory)
        else:
            log.error("IVR: Asterisk could not play %s either (call on %s ended)", sound, call.channel)

    def _commands(self, outputs: list[Output], lang: str, render: bool = True) -> list[Command] | None:
        """AGI commands for the outputs; True marks the one whose result the flow waits for.

        With `render=False`, None when a prompt file is not rendered yet.
        """
        commands: list[Command] = []
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

    def _apology(self, lang: str) -> list[Command]:
        try:
            return [(f'STREAM FILE {self._sound(Say(lang, (Line("try_later"),)))} ""', False),
                    ("HANGUP", False)]
        except RenderError:
            return [("HANGUP", False)]

    def _play(self, call: _Call, commands: list[Command]) -> None:
        """Send one turn's commands and save where the call is. Offline, the turn is only saved:
        the next login finds it lost and plays it then."""
        call.turn = commands
        call.awaiting = ""
        sent = self._online.is_set()
        for command, awaited in commands:
            command_id = call.next_id()
            if awaited:
                call.awaiting = command_id
            if sent:
                sent = self._send(call, command, command_id)
        if not sent:
            call.stale = True
        if self.states is not None:
            if call.state.stage == flow.DONE and not call.turn:
                self.states.forget(call.channel)
            else:
                self.states.save(call.channel, call.record())

    def _send(self, call: _Call, command: str, command_id: str) -> bool:
        client = self.client
        if client is None or not self._online.is_set():
            return False
        action = Action("AGI", {"ActionID": self._action_id(), "Channel": call.channel,
                                "Command": command, "CommandID": command_id})
        try:
            client.send_action(action, callback=self._queued_callback(call))
        except OSError:
            return False
        return True

    def _queued_callback(self, call: _Call) -> Callable[[Any], None]:
        def queued(response: Any) -> None:
            # Runs on the reader thread; must not raise (see the module docstring).
            try:
                if response.is_error():
                    log.debug("AMI: %s is gone (%s)", call.channel, response.keys.get("Message", ""))
                    self._end(call)
            except Exception:
                log.exception("AMI: AGI response for %s not handled", call.channel)
        return queued
