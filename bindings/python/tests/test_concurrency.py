"""Threads and asyncio tasks sharing one emitter: every emit arrives once, at a real socket.io-client user, through a
real Node Socket.IO server; the event loop is never blocked by a C call."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections import Counter

import pytest

import sio
from conftest import Fleet


@pytest.fixture(scope="module")
def fleet(redis):
    f = Fleet(redis.url, "classic", users_a=("42",), users_b=("7",))
    yield f
    f.stop()


def _check_once(fleet, event, expected):
    got = fleet.wait_received("42", event, count=len(expected), timeout=30)
    counts = Counter((x["args"][0]["task"], x["args"][0]["i"]) for x in got)
    assert set(counts) == expected, f"missing {len(expected - set(counts))}"
    assert max(counts.values()) == 1, "an emit arrived twice"


def test_threads_share_one_emitter(fleet, redis):
    with sio.Emitter(redis.url) as io:
        user = io.to("user:42")  # one operator shared by every thread

        def work(task):
            for i in range(100):
                user.emit("threaded", {"task": task, "i": i})

        threads = [threading.Thread(target=work, args=(t,)) for t in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        io.flush()
    _check_once(fleet, "threaded", {(t, i) for t in range(16) for i in range(100)})


def test_100_tasks_x_100_emits_arrive_once(fleet, redis):
    async def main():
        async with sio.AsyncEmitter(redis.url) as io:
            async def task(n):
                for i in range(100):
                    await io.to("user:42").emit("async", {"task": n, "i": i})

            await asyncio.gather(*(task(n) for n in range(100)))
            await io.flush()

    asyncio.run(asyncio.wait_for(main(), 60))
    _check_once(fleet, "async", {(t, i) for t in range(100) for i in range(100)})


def test_async_emit_never_waits_for_redis(fleet, redis):
    # Redis stopped (SIGSTOP to the redis-server this module started): queued emits return at once, flush times out,
    # a request waits off the loop while the loop keeps running; once Redis runs again, everything arrives.
    async def main():
        async with sio.AsyncEmitter(redis.url, command_timeout=10) as io:
            await io.to("user:42").emit_sync("warm-up")
            os.kill(redis.process.pid, signal.SIGSTOP)
            try:
                started = time.monotonic()
                for i in range(200):
                    await io.to("user:42").emit("while-stopped", {"task": 0, "i": i})
                queued_in = time.monotonic() - started
                with pytest.raises(sio.RedisTimeoutError):
                    await io.flush(timeout=0.3)
                ticks = 0

                async def ticker():
                    nonlocal ticks
                    while True:
                        await asyncio.sleep(0.01)
                        ticks += 1

                ticking = asyncio.create_task(ticker())
                slow = asyncio.create_task(io.to("user:42").emit_sync("sync-while-stopped"))
                await asyncio.sleep(0.5)
                assert not slow.done()
                assert ticks >= 20, f"the loop ticked {ticks} times in 0.5 s while emit_sync waited"
            finally:
                os.kill(redis.process.pid, signal.SIGCONT)
            await slow
            ticking.cancel()
            await io.flush()
            return queued_in

    queued_in = asyncio.run(asyncio.wait_for(main(), 60))
    assert queued_in < 1.0, f"200 queued emits took {queued_in:.3f} s with Redis stopped"
    _check_once(fleet, "while-stopped", {(0, i) for i in range(200)})
    fleet.wait_received("42", "sync-while-stopped")


def test_async_bad_input_raises_at_the_await(fleet, redis):
    async def main():
        async with sio.AsyncEmitter(redis.url) as io:
            with pytest.raises(sio.ReservedEventError):
                await io.emit("disconnect")
            with pytest.raises(sio.InvalidArgumentError):
                await io.to("").emit("e")  # refused by the library, in the worker thread
            assert await io.server_count() == 2
    asyncio.run(asyncio.wait_for(main(), 60))
