"""bench/run item 8 with the installed sio package (bench/run runs it in a fresh virtualenv):

  python-emit.py sync  --redis URL --count N [--rooms K]
      what sio-bench-c-emit does, in Python as a user writes it: N times
      io.to(room).emit("notification", {"type": "ORDER_UPDATED", "payload": {"orderId": n}, "timestamp": T}),
      then io.flush(); room "user:42", or with --rooms K "user:<n mod K>". Prints
      {"count":N,"seconds":S,"per_emit_us":U}.
  python-emit.py async --redis URL --tasks T --emits E
      AsyncEmitter: T tasks, each awaiting E queued emits of that notification, while a monitor task sleeps 1 ms
      at a time and records how late each wake-up is (the event loop's lag). Checks that every emit was handed
      over (the count of the emitter's worker) and flushes. Prints {"count":T*E,"seconds":S,"lag_p50_ms":..,
      "lag_p99_ms":..,"lag_max_ms":..,"samples":K}.
"""
import argparse
import asyncio
import json
import statistics
import time

import sio

TIMESTAMP_MS = 1764336000000


def sync_run(url, count, rooms):
    with sio.Emitter(url) as io:
        io.connect()
        start = time.perf_counter()
        for n in range(count):
            room = "user:42" if rooms == 1 else f"user:{n % rooms}"
            io.to(room).emit("notification", {"type": "ORDER_UPDATED", "payload": {"orderId": n},
                                              "timestamp": TIMESTAMP_MS})
        io.flush()
        seconds = time.perf_counter() - start
    return {"count": count, "seconds": round(seconds, 6), "per_emit_us": round(seconds * 1e6 / count, 3)}


async def async_run(url, tasks, emits):
    lags = []
    done = asyncio.Event()

    async def monitor():
        while not done.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append((time.perf_counter() - before - 0.001) * 1000)

    async with sio.AsyncEmitter(url) as io:
        sent = 0

        async def task(t):
            nonlocal sent
            for n in range(emits):
                await io.to("user:42").emit("notification", {"type": "ORDER_UPDATED",
                                                             "payload": {"orderId": t * emits + n},
                                                             "timestamp": TIMESTAMP_MS})
                sent += 1

        watcher = asyncio.create_task(monitor())
        await asyncio.sleep(0.01)  # the monitor's first samples are of an idle loop
        start = time.perf_counter()
        await asyncio.gather(*(task(t) for t in range(tasks)))
        await io.flush()
        seconds = time.perf_counter() - start
        done.set()
        await watcher
    if sent != tasks * emits:
        raise SystemExit(f"python-emit.py: {sent} of {tasks * emits} emits were handed over")
    lags.sort()
    return {"count": sent, "seconds": round(seconds, 6), "samples": len(lags),
            "lag_p50_ms": round(statistics.median(lags), 3),
            "lag_p99_ms": round(lags[min(len(lags) - 1, int(len(lags) * 0.99))], 3),
            "lag_max_ms": round(lags[-1], 3)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["sync", "async"])
    p.add_argument("--redis", required=True)
    p.add_argument("--count", type=int, default=100000)
    p.add_argument("--rooms", type=int, default=1)
    p.add_argument("--tasks", type=int, default=100)
    p.add_argument("--emits", type=int, default=100)
    a = p.parse_args()
    if a.mode == "sync":
        out = sync_run(a.redis, a.count, a.rooms)
    else:
        out = asyncio.run(async_run(a.redis, a.tasks, a.emits))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
