"""What our Asterisk adapter adds to one call turn ÷ one AMI Ping round trip, same client, same server.

A turn, as the switch sees it: from the fake Asterisk sending `AsyncAGIExec` with the digits
a caller keyed (GET DATA) to our next `Action: AGI` for that channel arriving at it, measured
at the fake. That covers the AMI client's reading and parsing, our event dispatch, the flow,
the lookup (prefetched while the read-back plays, as in production), choosing the prompt
file, and sending the command. The fake's ~100 ms AsyncAGI queue delay is off here: it is
Asterisk's, not ours. The baseline is an AMI `Ping` round trip through the same asterisk-ami
client to the same fake server, measured at the client. The fake runs in a process of its
own, as a switch does; turns and pings alternate in slices.

Each prompt "plays" PLAY_TIME in the fake before the keys come back, so a turn starts on an
AMI reader that has been idle that long; the baseline Ping is sent after the same idle gap
(the ratio printed last). A second Ping sent straight after it, on a warm line, is printed
beside it with its own ratio, for comparison.

Prompts are rendered once before the measured turns (a first-time sentence costs an
espeak-ng + sox run; that figure is printed too), so the p95 is the cached, steady state.
As `flask ivr-asterisk` does, the adapter saves each call's state to Redis (a private
redis-server here; `--no-states` leaves it out, to see what saving costs).

Usage: python bench/ivr_turn.py [--turns 1000] [--pings 1000] [--no-states]
Target (issue 4): ratio ≤ 2.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import scratch_dir  # noqa: E402  (this folder is on sys.path)

from app import create_app  # noqa: E402
from channels.ivr import build_driver, prompt_store  # noqa: E402
from channels.ivr.asterisk import AsteriskAdapter  # noqa: E402
from channels.ivr.call_state import CallStates  # noqa: E402
from channels.ivr.flow import static_prompts  # noqa: E402
from config import TestConfig  # noqa: E402
from lookup import codes, demo  # noqa: E402
from tests.support.fake_ami import HANGUP, FakeAsterisk  # noqa: E402
from tests.support.servers import RedisServer  # noqa: E402

TURNS_PER_CALL = 8  # language, code, confirm, repeat, another, code, confirm, repeat
# How long each prompt "plays" before the caller's keys come back. Real prompts last seconds;
# 20 ms is enough for what overlaps them (the prefetched lookup, even on a loaded machine)
# and keeps the fake's own work out of the measured window.
PLAY_TIME = 0.02
SLICES = 10


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def script(code_a: str, code_b: str) -> list[str]:
    a, b = codes.parse(code_a).keypad, codes.parse(code_b).keypad
    return ["1", a + "#", "1", "1", "2", b + "#", "1", "1", HANGUP]


def fake_switch(pipe, play_time: float) -> None:
    """The fake Asterisk in a process of its own, as a real switch is: it places the calls it is
    sent, one after the other, and sends back the turn times it measured."""
    fake = FakeAsterisk(queue_delay=0.0, play_time=play_time).start()
    pipe.send(fake.port)
    while True:
        message = pipe.recv()
        if message is None:
            fake.stop()
            return
        fake.turn_times.clear()
        for caller, keys in message:
            call = fake.call(caller, keys)
            if not call.ended.wait(30):
                pipe.send(f"call {call.channel} did not end: {call.commands}")
                break
        else:
            pipe.send(list(fake.turn_times))


def ping_once(adapter: AsteriskAdapter) -> float:
    before = time.perf_counter()
    if not adapter.ping():
        raise SystemExit("a Ping went unanswered")
    return time.perf_counter() - before


def place(pipe, calls: list[tuple[str, list[str]]]) -> list[float]:
    pipe.send(calls)
    answer = pipe.recv()
    if isinstance(answer, str):
        raise SystemExit(answer)
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--pings", type=int, default=1000)
    parser.add_argument("--no-states", action="store_true", help="do not save the calls' states to Redis")
    args = parser.parse_args()

    # Started first, and by spawning, so it shares neither our threads nor our interpreter lock.
    context = multiprocessing.get_context("spawn")
    pipe, child_end = context.Pipe()
    switch = context.Process(target=fake_switch, args=(child_end, PLAY_TIME), daemon=True)
    switch.start()
    port = pipe.recv()

    workdir = scratch_dir("bench-ivr-")
    redis = None if args.no_states else RedisServer(workdir).start()
    if redis is not None:
        atexit.register(redis.stop)  # on a failed run too: no redis-server left behind
    config = TestConfig()
    config.DATABASE_URL = f"sqlite:///{workdir / 'bench.db'}"
    config.IVR_AUDIO_DIR = workdir / "audio"
    config.IVR_OPERATOR_NUMBER = "+842438580000"
    app = create_app(config)
    app.extensions["tracuu.store"].create_all()
    service = app.extensions["tracuu.service"]
    listed = demo.load(service)
    demo_codes = [code for code, _pin, _status in listed]
    phones = [d[4] for d in demo.DOSSIERS]

    store = prompt_store(app)
    started = time.perf_counter()
    store.render_missing(static_prompts())
    setup = time.perf_counter() - started
    driver = build_driver(app)
    gc.freeze()  # as `flask ivr-asterisk` does once set up
    # A client, as `flask ivr-asterisk` gives it (redis_connections.connect), not a URL.
    states = (CallStates(Redis.from_url(redis.url, socket_timeout=2.0, socket_connect_timeout=2.0),
                         "bench:ivr:", ttl=600) if redis is not None else None)
    adapter = AsteriskAdapter(driver, store, "127.0.0.1", port, "ivr", "ivrsecret", states=states,
                              keepalive=3600, clock=driver.clock).start()
    if not adapter.connected.wait(10):
        raise SystemExit("adapter did not log in to the fake Asterisk")

    calls = [(phones[i % len(phones)], script(demo_codes[i % len(demo_codes)],
                                             demo_codes[(i + 3) % len(demo_codes)]))
             for i in range(len(demo_codes))]
    # Warm-up: every sentence these calls will hear gets rendered once.
    warm_started = time.perf_counter()
    place(pipe, calls)
    warm_up = time.perf_counter() - warm_started
    first_render = time.perf_counter()
    store.render((("vi", f"Câu thử số {time.time_ns()}."),))
    render_seconds = time.perf_counter() - first_render

    # Turns and pings alternate slice by slice, each ping after the same idle gap a turn has
    # (PLAY_TIME), so a noisy neighbour and cold caches weigh on both alike.
    turns: list[float] = []
    pings: list[float] = []
    hot_pings: list[float] = []
    per_slice = max(1, -(-args.turns // (TURNS_PER_CALL * SLICES)))
    next_call = 0
    while len(turns) < args.turns or len(pings) < args.pings:
        if len(turns) < args.turns:
            batch = [calls[(next_call + i) % len(calls)] for i in range(per_slice)]
            next_call += per_slice
            turns += place(pipe, batch)
        for _ in range(min(args.pings // SLICES or 1, args.pings - len(pings))):
            time.sleep(PLAY_TIME)
            pings.append(ping_once(adapter))
            hot_pings.append(ping_once(adapter))  # straight after: a warm line, for comparison
    turns = turns[:args.turns]
    adapter.stop()
    pipe.send(None)
    switch.join(10)
    if redis is not None:
        redis.stop()

    turn_p95, ping_p95 = p95(turns), p95(pings)
    print(f"call states saved to Redis: {'no' if redis is None else 'yes (a private redis-server)'}")
    print(f"setup: static prompts {setup:.1f}s, warm-up calls (rendering their sentences) {warm_up:.1f}s;"
          f" one new sentence rendered (espeak-ng + sox) in {render_seconds * 1000:.0f} ms")
    print(f"turn (AsyncAGIExec with digits -> next Action: AGI, at the fake), {len(turns)} turns: "
          f"p50 {statistics.median(turns) * 1e6:.0f} us, p95 {turn_p95 * 1e6:.0f} us")
    print(f"AMI Ping round trip (same client, same fake, after the same {PLAY_TIME * 1000:.0f} ms idle gap "
          f"as a turn), {len(pings)} pings: p50 {statistics.median(pings) * 1e6:.0f} us, "
          f"p95 {ping_p95 * 1e6:.0f} us")
    hot_p95 = p95(hot_pings)
    print(f"  (a second Ping right after it, on a warm line: "
          f"p50 {statistics.median(hot_pings) * 1e6:.0f} us, p95 {hot_p95 * 1e6:.0f} us; "
          f"turn p95 / that = {turn_p95 / hot_p95:.2f})")
    print(f"ratio turn p95 / ping p95 = {turn_p95 / ping_p95:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
