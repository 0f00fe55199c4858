"""A fake Asterisk Manager Interface: a local TCP server speaking AMI byte for byte as the
recordings in tests/channels/ivr/recordings/ (Asterisk 22.10.1) show, with callers who enter
`AGI(agi:async)` and key digits from a script.

Every message below is a template cut from those recordings; tests/channels/ivr/test_fake_ami.py
replays the recorded client bytes against this server and compares what comes back.

What it does like Asterisk: banner; Login (a wrong secret answers `Response: Error` after a
delay, then closes); FullyBooted and SuccessfulAuth; Ping/Pong; Logoff/Goodbye; `Action: AGI`
is only queued (`Added AGI command to queue`), run `queue_delay` later (Asterisk looks at an
AsyncAGI queue about ten times a second), and answered by AGIExecStart/AGIExecEnd (Asterisk's
own numeric CommandId) and `AsyncAGIExec` (`CommandId`, your id, URL-encoded `Result` with a
trailing %0A); GET DATA and STREAM FILE of a file that is not on disk fail (`result=-1`, and
STREAM FILE leaves AsyncAGI); a hang-up mid-command gives `result=-1`, AsyncAGIEnd, Hangup;
an AGI action for a channel that is gone answers `Response: Error`. Calls survive an AMI
disconnect, as on a real switch. GET VARIABLE reads the channel's variables (CHANNEL, UNIQUEID
and what SET VARIABLE set). Actions named in `refuse` are answered `Permission denied`, as
Asterisk answers an action the user's `write` privileges do not cover (the same
`Response: Error` message as in the recordings, with the text seen on a real switch).
"""

from __future__ import annotations

import itertools
import os
import queue
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import quote

# Templates from the recordings (see the module docstring). `{}` fields are filled per message.
BANNER = "Asterisk Call Manager/11.0.0\r\n"
LOGIN_OK = "Response: Success\r\nActionID: {action_id}\r\nMessage: Authentication accepted\r\n\r\n"
LOGIN_FAILED = "Response: Error\r\nActionID: {action_id}\r\nMessage: Authentication failed\r\n\r\n"
FULLY_BOOTED = ("Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: {uptime}\r\nLastReload: {uptime}\r\n"
                "Status: Fully Booted\r\n\r\n")
SUCCESSFUL_AUTH = ("Event: SuccessfulAuth\r\nPrivilege: security,all\r\nEventTV: {event_tv}\r\n"
                   "Severity: Informational\r\nService: AMI\r\nEventVersion: 1\r\nAccountID: {username}\r\n"
                   "SessionID: {session_id}\r\nLocalAddress: IPV4/TCP/127.0.0.1/{local_port}\r\n"
                   "RemoteAddress: IPV4/TCP/127.0.0.1/{remote_port}\r\nUsingPassword: 0\r\n"
                   "SessionTV: {event_tv}\r\n\r\n")
PONG = "Response: Success\r\nActionID: {action_id}\r\nPing: Pong\r\nTimestamp: {timestamp}\r\n\r\n"
GOODBYE = "Response: Goodbye\r\nActionID: {action_id}\r\nMessage: Thanks for all the fish.\r\n\r\n"
AGI_QUEUED = "Response: Success\r\nActionID: {action_id}\r\nMessage: Added AGI command to queue\r\n\r\n"
NO_CHANNEL = "Response: Error\r\nActionID: {action_id}\r\nMessage: Channel {channel} does not exist.\r\n\r\n"
UNKNOWN_ACTION = "Response: Error\r\nActionID: {action_id}\r\nMessage: Invalid/unknown command\r\n\r\n"
PERMISSION_DENIED = "Response: Error\r\nActionID: {action_id}\r\nMessage: Permission denied\r\n\r\n"
HUNGUP = "Response: Success\r\nActionID: {action_id}\r\nMessage: Channel Hungup\r\n\r\n"
CHANNEL = ("Channel: {channel}\r\nChannelState: 6\r\nChannelStateDesc: Up\r\nCallerIDNum: {cid}\r\n"
           "CallerIDName: {cid_name}\r\nConnectedLineNum: {cid}\r\nConnectedLineName: {cid_name}\r\n"
           "Language: en\r\nAccountCode: \r\nContext: ivr\r\nExten: s\r\nPriority: {priority}\r\n"
           "Uniqueid: {uniqueid}\r\nLinkedid: {linkedid}\r\n")
ASYNC_AGI_START = "Event: AsyncAGIStart\r\nPrivilege: agi,all\r\n" + CHANNEL + "Env: {env}\r\n\r\n"
AGI_EXEC_START = ("Event: AGIExecStart\r\nPrivilege: agi,all\r\n" + CHANNEL
                  + "CommandId: {number}\r\nCommand: {command}\r\n\r\n")
AGI_EXEC_END = ("Event: AGIExecEnd\r\nPrivilege: agi,all\r\n" + CHANNEL + "CommandId: {number}\r\n"
                "Command: {command}\r\nResultCode: {result_code}\r\nResult: {result_text}\r\n\r\n")
ASYNC_AGI_EXEC = ("Event: AsyncAGIExec\r\nPrivilege: agi,all\r\n" + CHANNEL
                  + "Result: {result}\r\nCommandId: {command_id}\r\n\r\n")
ASYNC_AGI_END = "Event: AsyncAGIEnd\r\nPrivilege: agi,all\r\n" + CHANNEL + "\r\n"
HANGUP_EVENT = ("Event: Hangup\r\nPrivilege: call,all\r\n" + CHANNEL
                + "Cause: {cause}\r\nCause-txt: {cause_txt}\r\n\r\n")
CALLER_CLEARING = ("16", "Normal Clearing")  # the caller hung up
AGI_CLEARING = ("0", "Unknown")  # HANGUP from AGI
# Not in the recordings: the CoreShowChannels list, as Asterisk's manager documentation gives it.
CHANNELS_FOLLOW = ("Response: Success\r\nActionID: {action_id}\r\nEventList: start\r\n"
                   "Message: Channels will follow\r\n\r\n")
CORE_SHOW_CHANNEL = ("Event: CoreShowChannel\r\nActionID: {action_id}\r\n" + CHANNEL
                     + "Application: AGI\r\nApplicationData: agi:async\r\nDuration: 00:00:05\r\n"
                     "BridgeId: \r\n\r\n")
CHANNELS_COMPLETE = ("Event: CoreShowChannelsComplete\r\nActionID: {action_id}\r\nEventList: Complete\r\n"
                     "ListItems: {count}\r\n\r\n")
ENV_FIELDS = ("agi_request: async\nagi_channel: {channel}\nagi_language: en\nagi_type: Local\n"
              "agi_uniqueid: {uniqueid}\nagi_version: 22.10.1\nagi_callerid: {cid}\n"
              "agi_calleridname: {cid_name}\nagi_callingpres: 0\nagi_callingani2: 0\nagi_callington: 0\n"
              "agi_callingtns: 0\nagi_dnid: unknown\nagi_rdnis: unknown\nagi_context: ivr\n"
              "agi_extension: s\nagi_priority: 3\nagi_enhanced: 0.0\nagi_accountcode: \n"
              "agi_threadid: {thread_id}\n\n")

HANGUP = "<hang up>"  # a script item: the caller hangs up while this command runs


def uri_encode(text: str) -> str:
    """Asterisk's ast_uri_encode(ast_uri_http): unreserved characters stay, as in the recordings."""
    return quote(text, safe="-_.!~*'()")


def parse(message: str) -> list[tuple[str, str]]:
    pairs = []
    for line in message.split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            pairs.append((key.strip(), value.strip()))
    return pairs


def header(pairs: list[tuple[str, str]], name: str) -> str:
    return next((v for k, v in pairs if k.lower() == name.lower()), "")


@dataclass
class FakeCall:
    """A caller in AGI(agi:async). `keys` answers each GET DATA in turn ("" is silence)."""

    server: FakeAsterisk
    number: int
    cid: str
    cid_name: str
    keys: list  # str keys, HANGUP, or a callable returning keys (a hook for tests)
    thread_id: int
    commands: list[str] = field(default_factory=list)
    results: list[str] = field(default_factory=list)
    in_agi: bool = True
    alive: bool = True
    variables: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ended = threading.Event()
        self.cause = CALLER_CLEARING
        self.left_agi = threading.Event()
        self.queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self.channel = f"Local/s@ivr-{self.number:08x};2"
        base = self.server.uniqueid_base
        self.uniqueid = f"{base}.{2 * self.number + 1}"
        self.linkedid = f"{base}.{2 * self.number}"
        self.worker = threading.Thread(target=self._run, name=f"fake-call-{self.number}", daemon=True)
        self.variables.update({"CHANNEL": self.channel, "UNIQUEID": self.uniqueid})

    def fields(self, priority: int = 3, channel: str | None = None, uniqueid: str | None = None) -> dict:
        return {"channel": channel or self.channel, "cid": self.cid, "cid_name": self.cid_name,
                "priority": priority, "uniqueid": uniqueid or self.uniqueid, "linkedid": self.linkedid}

    def start(self) -> FakeCall:
        env = ENV_FIELDS.format(**self.fields(), thread_id=self.thread_id)
        self.worker.start()
        self.server.broadcast(ASYNC_AGI_START.format(**self.fields(), env=uri_encode(env)))
        return self

    def hang_up(self) -> None:
        """The caller hangs up now, between commands."""
        self.queue.put(("", HANGUP))

    def prompts(self) -> list[str]:
        """The sound files played, in order (GET DATA and STREAM FILE arguments)."""
        played = []
        for command in self.commands:
            words = command.split(" ")
            if command.startswith(("GET DATA ", "STREAM FILE ")):
                played.append(words[2])
        return played

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            command_id, command = item
            if command == HANGUP:
                if self.alive:
                    self.server.broadcast("".join(self._hangup_events()))
                    self.left_agi.set()
                    self.ended.set()
                continue
            if not self.alive or not self.in_agi:
                continue
            if self.server.queue_delay:
                time.sleep(self.server.queue_delay)
            self._execute(command_id, command)

    def _execute(self, command_id: str, command: str) -> None:
        """Run one AGI command. Like Asterisk, the result events leave in one write
        (AGIExecEnd + AsyncAGIExec [+ AsyncAGIEnd, Hangup]), with AGIExecStart when nothing played."""
        number = next(self.server.exec_numbers)
        words = command.split(" ")
        verb = " ".join(words[:2]).upper()
        out = [AGI_EXEC_START.format(**self.fields(), number=number, command=command)]
        leaves = hangs_up = False
        code, text = "200", "Success"
        with_digits = False
        if verb in ("GET DATA", "STREAM FILE") and self.server.play_time:
            self.server.broadcast("".join(out))
            out = []
            time.sleep(self.server.play_time)  # the prompt plays; the caller listens, then keys
        if verb == "GET DATA":
            script = self.keys.pop(0) if self.keys else ""
            if callable(script):
                script = script()  # a test's hook: runs while the caller "keys"
            if script == HANGUP:
                result, hangs_up = "200 result=-1", True
            elif self._sound(words[2]) is None:
                result = "200 result=-1"
            else:
                result = self._get_data_result(script, int(words[4]) if len(words) > 4 else 1024)
                with_digits = bool(script.rstrip("#"))
        elif verb == "STREAM FILE":
            endpos = self._sound(words[2])
            if endpos is not None:
                result = f"200 result=0 endpos={endpos}"
            else:
                result, leaves, code, text = "200 result=-1 endpos=0", True, "-1", "Failure"
        elif verb in ("ANSWER",):
            result = "200 result=0"
        elif verb.startswith("HANGUP"):
            result, hangs_up = "200 result=1", True
            self.cause = AGI_CLEARING
        elif verb == "SET VARIABLE":
            self.variables[words[2]] = " ".join(words[3:]).strip('"')
            result = "200 result=1"
        elif verb == "GET VARIABLE":
            value = self.variables.get(words[2]) if len(words) > 2 else None
            result = f"200 result=1 ({value})" if value is not None else "200 result=0"
        elif verb.startswith("VERBOSE "):
            result = "200 result=1"
        elif verb == "ASYNCAGI BREAK":
            result, leaves = "200 result=0", True
        else:
            result, code, text = "510 Invalid or unknown command", "510", "Invalid or unknown command"
        self.commands.append(command)
        self.results.append(result)
        out.append(AGI_EXEC_END.format(**self.fields(), number=number, command=command, result_code=code,
                                       result_text=text))
        out.append(ASYNC_AGI_EXEC.format(**self.fields(), result=uri_encode(result + "\n"),
                                         command_id=command_id))
        if hangs_up:
            out += self._hangup_events()
        elif leaves:
            self.in_agi = False
            out.append(ASYNC_AGI_END.format(**self.fields()))
        if with_digits:
            # Marked before sending, so a fast reply can never arrive before its mark.
            self.server.mark_turn(self.channel, time.perf_counter())
        self.server.broadcast("".join(out))
        if leaves or hangs_up:
            self.left_agi.set()
            self.ended.set()

    def _hangup_events(self) -> list[str]:
        """The caller is gone: AsyncAGIEnd if in AGI, then Hangup."""
        out = []
        self.alive = False
        if self.in_agi:
            self.in_agi = False
            out.append(ASYNC_AGI_END.format(**self.fields()))
        cause, cause_txt = self.cause
        out.append(HANGUP_EVENT.format(**self.fields(), cause=cause, cause_txt=cause_txt))
        self.server.forget(self)
        return out

    def _sound(self, name: str) -> int | None:
        """The sound's length in samples (`endpos` when played to the end); None if missing."""
        if name in self.server.sounds:
            return self.server.sounds[name]
        if name.startswith("/") and self.server.sees_our_disk:
            for extension in (".wav", ".sln"):
                if os.path.exists(name + extension):
                    return max(0, (os.path.getsize(name + extension) - 44) // 2)
        return None

    @staticmethod
    def _get_data_result(script: str, max_digits: int) -> str:
        """`#` ends the input and is not returned; fewer digits than asked end by timeout."""
        if script.endswith("#"):
            return f"200 result={script[:-1]}"
        if len(script) >= max_digits:
            return f"200 result={script[:max_digits]}"
        return f"200 result={script} (timeout)" if script else "200 result= (timeout)"


class FakeAsterisk:
    """Start with `.start()`, place calls with `.call(...)`, stop with `.stop()`."""

    def __init__(self, username: str = "ivr", secret: str = "ivrsecret", queue_delay: float = 0.1,
                 login_failure_delay: float = 1.0, uptime: int = 19, session_id: str = "0x7f8e5c001460",
                 event_tv: str = "2026-11-22T01:52:55.574+0000", uniqueid_base: str = "1795312396",
                 first_channel: int = 1, sounds: dict[str, int] | None = None,
                 exec_numbers: Iterable[int] | None = None, timestamp=time.time,
                 play_time: float = 0.0, sees_our_disk: bool = True, refuse: Iterable[str] = ()) -> None:
        self.username = username
        self.secret = secret
        self.queue_delay = queue_delay
        # Seconds a prompt "plays" before GET DATA's keys or STREAM FILE's end come back.
        self.play_time = play_time
        # False: a switch that was not given IVR_AUDIO_DIR (every prompt file is missing).
        self.sees_our_disk = sees_our_disk
        # Actions the AMI user may not run (lower case), e.g. {"coreshowchannels"}.
        self.refuse = {name.lower() for name in refuse}
        self.login_failure_delay = login_failure_delay
        self.uptime = uptime
        self.session_id = session_id
        self.event_tv = event_tv
        self.uniqueid_base = uniqueid_base
        # Asterisk's own numbers in AGIExecStart/End (not ours); sounds it has, with their lengths.
        self.exec_numbers = iter(exec_numbers or itertools.count(588401604, 7919))
        self.sounds = {"beep": 3520} if sounds is None else sounds
        self.timestamp = timestamp
        self._numbers = itertools.count(first_channel)
        self._sock: socket.socket | None = None
        self._clients: dict[socket.socket, threading.Lock] = {}
        self._logged_in: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._calls: dict[str, FakeCall] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self.logins = 0
        self.failed_logins = 0
        # For the benchmark: seconds from an AsyncAGIExec with digits to the next Action: AGI.
        self.turn_times: list[float] = []
        self._turn_started: dict[str, float] = {}
        self.port = 0

    # Server life

    def start(self, port: int = 0) -> FakeAsterisk:
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", port))
        self._sock.listen(64)
        self.port = self._sock.getsockname()[1]
        self._stopping.clear()
        thread = threading.Thread(target=self._accept, name="fake-ami-accept", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self.drop_connections()
        for call in list(self._calls.values()):
            call.queue.put(None)

    def drop_connections(self) -> None:
        """The AMI link breaks (the switch keeps its calls)."""
        with self._lock:
            clients = list(self._clients)
            self._clients.clear()
            self._logged_in.clear()
        for conn in clients:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def wait_logged_in(self, count: int = 1, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while self.logins < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.logins} logins, wanted {count}")
            time.sleep(0.01)

    @property
    def connected(self) -> int:
        with self._lock:
            return len(self._logged_in)

    # Calls

    def call(self, caller: str = "5551234", keys: Iterable[str] = (), caller_name: str = "IVR Tester",
             thread_id: int = 140249100613312) -> FakeCall:
        call = FakeCall(self, next(self._numbers), caller, caller_name, list(keys), thread_id)
        with self._lock:
            self._calls[call.channel] = call
        return call.start()

    def forget(self, call: FakeCall) -> None:
        with self._lock:
            self._calls.pop(call.channel, None)

    def mark_turn(self, channel: str, sent_at: float) -> None:
        self._turn_started[channel] = sent_at

    # The wire

    def broadcast(self, message: str) -> float:
        """Send an event to every logged-in session; returns the time it left."""
        data = message.encode()
        with self._lock:
            targets = [(c, self._clients[c]) for c in self._logged_in if c in self._clients]
        for conn, lock in targets:
            try:
                with lock:
                    conn.sendall(data)
            except OSError:
                pass
        return time.perf_counter()

    def _send(self, conn: socket.socket, message: str) -> None:
        with self._lock:
            lock = self._clients.get(conn)
        if lock is None:
            return
        try:
            with lock:
                conn.sendall(message.encode())
        except OSError:
            pass

    def _accept(self) -> None:
        sock = self._sock
        while not self._stopping.is_set() and sock is not None:
            try:
                conn, _addr = sock.accept()
            except OSError:
                return
            # As Asterisk's AMI does: a Ping is answered in ~0.2 ms in the recordings, no Nagle wait.
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._clients[conn] = threading.Lock()
            thread = threading.Thread(target=self._serve, args=(conn,), name="fake-ami-conn", daemon=True)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        self._send(conn, BANNER)
        buffer = b""
        try:
            while True:
                chunk = conn.recv(65536)
                received = time.perf_counter()
                if not chunk:
                    break
                buffer += chunk
                while b"\r\n\r\n" in buffer:
                    raw, buffer = buffer.split(b"\r\n\r\n", 1)
                    if not self._action(conn, parse(raw.decode("utf-8", "replace")), received):
                        return
        except OSError:
            pass
        finally:
            with self._lock:
                self._clients.pop(conn, None)
                self._logged_in.discard(conn)
            conn.close()

    def _action(self, conn: socket.socket, pairs: list[tuple[str, str]], received: float) -> bool:
        """Answer one action; False when the server closes the connection."""
        name = header(pairs, "Action").lower()
        action_id = header(pairs, "ActionID")
        if name in self.refuse:
            self._send(conn, PERMISSION_DENIED.format(action_id=action_id))
            return True
        if name == "login":
            if header(pairs, "Username") != self.username or header(pairs, "Secret") != self.secret:
                self.failed_logins += 1
                time.sleep(self.login_failure_delay)
                self._send(conn, LOGIN_FAILED.format(action_id=action_id))
                return False
            local_port = self.port
            remote_port = conn.getpeername()[1]
            self._send(conn, LOGIN_OK.format(action_id=action_id) + FULLY_BOOTED.format(uptime=self.uptime))
            self._send(conn, SUCCESSFUL_AUTH.format(event_tv=self.event_tv, username=self.username,
                                                    session_id=self.session_id, local_port=local_port,
                                                    remote_port=remote_port))
            with self._lock:
                self._logged_in.add(conn)
            self.logins += 1
            return True
        if name == "ping":
            self._send(conn, PONG.format(action_id=action_id, timestamp=f"{self.timestamp():.6f}"))
            return True
        if name == "logoff":
            self._send(conn, GOODBYE.format(action_id=action_id))
            return False
        if name == "agi":
            channel = header(pairs, "Channel")
            started = self._turn_started.pop(channel, None)
            if started is not None:
                self.turn_times.append(received - started)
            with self._lock:
                call = self._calls.get(channel)
            if call is None or not call.in_agi or not call.alive:
                self._send(conn, NO_CHANNEL.format(action_id=action_id, channel=channel))
                return True
            self._send(conn, AGI_QUEUED.format(action_id=action_id))
            call.queue.put((header(pairs, "CommandID"), header(pairs, "Command")))
            return True
        if name == "coreshowchannels":
            with self._lock:
                waiting = [c for c in self._calls.values() if c.alive and c.in_agi]
            listing = [CHANNELS_FOLLOW.format(action_id=action_id)]
            listing += [CORE_SHOW_CHANNEL.format(action_id=action_id, **c.fields()) for c in waiting]
            listing.append(CHANNELS_COMPLETE.format(action_id=action_id, count=len(waiting)))
            self._send(conn, "".join(listing))
            return True
        if name == "hangup":
            channel = header(pairs, "Channel")
            with self._lock:
                # Hanging up the caller's leg (;1) of the Local channel hangs up ours (;2).
                call = self._calls.get(channel) or self._calls.get(channel[:-2] + ";2")
            if call is None:
                self._send(conn, NO_CHANNEL.format(action_id=action_id, channel=channel))
            else:
                self._send(conn, HUNGUP.format(action_id=action_id))
                call.hang_up()
            return True
        self._send(conn, UNKNOWN_ACTION.format(action_id=action_id))
        return True
