"""The asyncio API: AsyncEmitter and AsyncBroadcastOperator, the same calls as Emitter's, awaitable.

    import sio

    async with sio.AsyncEmitter("redis://127.0.0.1:6379") as io:
        await io.to("user:42").emit("notification", {"type": "ORDER_UPDATED"})
        delivery = await io.to("user:42").emit_confirmed("notification", {"type": "PING"})

No C call runs on the event loop. Queued emits go, in the order they were awaited, to one worker thread of the
emitter that hands them to the library's pipeline: `await emit(...)` returns once the emit is queued (it raises
DataError for bad input, as Emitter.emit does), never waiting for Redis; a failure after that is reported by
`await flush()`. The worker settles the emits it queued in one batch per wake-up, so thousands of concurrent emits
cost the loop little. Calls that wait (emit_sync, requests, flush, connect, close) run in the loop's default
executor.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import threading
from typing import Any, Callable, Deque, List, Optional, Tuple

from .emitter import (BroadcastOperator, Delivery, Emitter, Published, Rooms, ServerAcks, Sockets, encode_args,
                      _utf8)

__all__ = ["AsyncEmitter", "AsyncBroadcastOperator"]

_Job = Tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[], Any]]


class _EmitWorker:
    """One thread that runs queued emits in order and settles their futures in batches on their loops."""

    def __init__(self) -> None:
        self._jobs: Deque[_Job] = collections.deque()
        self._cv = threading.Condition(threading.Lock())
        self._stopping = False
        self._thread: Optional[threading.Thread] = None

    def submit(self, fn: Callable[[], Any]) -> "asyncio.Future[Any]":
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._cv:
            if self._stopping:
                raise RuntimeError("this AsyncEmitter is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sio-async-emit", daemon=True)
                self._thread.start()
            self._jobs.append((loop, future, fn))
            if len(self._jobs) == 1:
                self._cv.notify()
        return future

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._jobs and not self._stopping:
                    self._cv.wait()
                if not self._jobs:
                    return
                batch = list(self._jobs)
                self._jobs.clear()
            settled: dict = {}
            for loop, future, fn in batch:
                try:
                    outcome = (True, fn())
                except BaseException as e:  # handed to the awaiting task
                    outcome = (False, e)
                settled.setdefault(loop, []).append((future, outcome))
            for loop, results in settled.items():
                try:
                    loop.call_soon_threadsafe(_settle, results)
                except RuntimeError:
                    pass  # the loop is closed: nobody awaits these any more

    def stop(self) -> None:
        with self._cv:
            self._stopping = True
            self._cv.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()


def _settle(results: List[Tuple["asyncio.Future[Any]", Tuple[bool, Any]]]) -> None:
    for future, (ok, value) in results:
        if future.cancelled():
            continue
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)


async def _off_loop(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(None, functools.partial(fn, *args))


class AsyncBroadcastOperator:
    """BroadcastOperator for asyncio: the same narrowing (immutable), awaitable publishing and requests."""

    __slots__ = ("_op", "_worker")

    def __init__(self, op: BroadcastOperator, worker: _EmitWorker):
        self._op = op
        self._worker = worker

    def to(self, *rooms: Rooms) -> "AsyncBroadcastOperator":
        return AsyncBroadcastOperator(self._op.to(*rooms), self._worker)

    in_ = to

    def except_(self, *rooms: Rooms) -> "AsyncBroadcastOperator":
        return AsyncBroadcastOperator(self._op.except_(*rooms), self._worker)

    @property
    def volatile(self) -> "AsyncBroadcastOperator":
        return AsyncBroadcastOperator(self._op.volatile, self._worker)

    def compress(self, enabled: bool = True) -> "AsyncBroadcastOperator":
        return AsyncBroadcastOperator(self._op.compress(enabled), self._worker)

    def timeout(self, seconds: float) -> "AsyncBroadcastOperator":
        return AsyncBroadcastOperator(self._op.timeout(seconds), self._worker)

    @property
    def nsp(self) -> str:
        return self._op.nsp

    def __repr__(self) -> str:
        return "Async" + repr(self._op)

    async def emit(self, event: str, *args: Any) -> None:
        """Queues the emit (see BroadcastOperator.emit) and returns once it is in the pipeline, without waiting
        for Redis. Bad input raises here, before anything is queued."""
        op = self._op
        # Encoded on the loop (pure Python, microseconds), so bad input raises before anything is handed over.
        array, n = encode_args(args)
        name = _utf8(event, "event")
        await self._worker.submit(functools.partial(op._emit_encoded, name, array, n))

    async def emit_sync(self, event: str, *args: Any) -> Published:
        return await _off_loop(self._op.emit_sync, event, *args)

    async def emit_confirmed(self, event: str, *args: Any) -> Delivery:
        return await _off_loop(self._op.emit_confirmed, event, *args)

    async def emit_with_ack(self, event: str, *args: Any) -> Delivery:
        return await _off_loop(self._op.emit_with_ack, event, *args)

    async def fetch_sockets(self) -> Sockets:
        return await _off_loop(self._op.fetch_sockets)

    async def sockets_join(self, *rooms: Rooms) -> Optional[int]:
        return await _off_loop(self._op.sockets_join, *rooms)

    async def sockets_leave(self, *rooms: Rooms) -> Optional[int]:
        return await _off_loop(self._op.sockets_leave, *rooms)

    async def disconnect_sockets(self, close: bool = False) -> Optional[int]:
        return await _off_loop(self._op.disconnect_sockets, close)


class AsyncEmitter:
    """Emitter for asyncio. Takes the same arguments as Emitter (creating it does not connect and does not block).
    Use it as `async with AsyncEmitter(url) as io:` (connects on entry, off the loop, to fail fast; closes on exit)
    or call `await connect()` / `await aclose()` yourself."""

    def __init__(self, url: Optional[str] = None, *, _emitter: Optional[Emitter] = None,
                 _worker: Optional[_EmitWorker] = None, **options: Any):
        self._emitter = _emitter if _emitter is not None else Emitter(url, **options)
        self._worker = _worker if _worker is not None else _EmitWorker()
        self._all = AsyncBroadcastOperator(self._emitter._all, self._worker)

    @property
    def emitter(self) -> Emitter:
        """The synchronous Emitter underneath (the same connection), for code that runs in threads."""
        return self._emitter

    @property
    def nsp(self) -> str:
        return self._emitter.nsp

    async def __aenter__(self) -> "AsyncEmitter":
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.aclose()

    async def connect(self) -> None:
        await _off_loop(self._emitter.connect)

    async def flush(self, timeout: Optional[float] = None) -> None:
        """Waits until every emit awaited so far is answered by Redis (see Emitter.flush)."""
        await self._worker.submit(lambda: None)  # emits submitted before this are in the pipeline
        await _off_loop(self._emitter.flush, timeout)

    async def aclose(self) -> None:
        """Closes the emitter once the emits handed over are queued (and, as Emitter.close, answered or timed
        out). Every view (of()) of it is closed too."""
        await _off_loop(self._close)

    def _close(self) -> None:
        self._worker.stop()
        self._emitter.close()

    def of(self, nsp: str) -> "AsyncEmitter":
        return AsyncEmitter(_emitter=self._emitter.of(nsp), _worker=self._worker)

    def to(self, *rooms: Rooms) -> AsyncBroadcastOperator:
        return self._all.to(*rooms)

    in_ = to

    def except_(self, *rooms: Rooms) -> AsyncBroadcastOperator:
        return self._all.except_(*rooms)

    @property
    def volatile(self) -> AsyncBroadcastOperator:
        return self._all.volatile

    def compress(self, enabled: bool = True) -> AsyncBroadcastOperator:
        return self._all.compress(enabled)

    def timeout(self, seconds: float) -> AsyncBroadcastOperator:
        return self._all.timeout(seconds)

    async def emit(self, event: str, *args: Any) -> None:
        await self._all.emit(event, *args)

    async def emit_sync(self, event: str, *args: Any) -> Published:
        return await self._all.emit_sync(event, *args)

    async def emit_confirmed(self, event: str, *args: Any) -> Delivery:
        return await self._all.emit_confirmed(event, *args)

    async def emit_with_ack(self, event: str, *args: Any) -> Delivery:
        return await self._all.emit_with_ack(event, *args)

    async def fetch_sockets(self) -> Sockets:
        return await self._all.fetch_sockets()

    async def sockets_join(self, *rooms: Rooms) -> Optional[int]:
        return await self._all.sockets_join(*rooms)

    async def sockets_leave(self, *rooms: Rooms) -> Optional[int]:
        return await self._all.sockets_leave(*rooms)

    async def disconnect_sockets(self, close: bool = False) -> Optional[int]:
        return await self._all.disconnect_sockets(close)

    async def server_side_emit(self, event: str, *args: Any) -> Optional[int]:
        return await _off_loop(self._emitter.server_side_emit, event, *args)

    async def server_side_emit_with_ack(self, event: str, *args: Any, timeout: Optional[float] = None) -> ServerAcks:
        return await _off_loop(functools.partial(self._emitter.server_side_emit_with_ack, event, *args,
                                                 timeout=timeout))

    async def server_count(self) -> int:
        return await _off_loop(self._emitter.server_count)

    def __repr__(self) -> str:
        return f"<sio.AsyncEmitter nsp={self.nsp!r}{' closed' if self._emitter.closed else ''}>"
