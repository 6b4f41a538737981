"""The synchronous API: Emitter and BroadcastOperator, over the C API of libsio-emitter (ctypes).

    import sio

    with sio.Emitter("redis://127.0.0.1:6379") as io:
        io.to("user:42").emit("notification", {"type": "ORDER_UPDATED", "payload": {"orderId": 7}})
        io.of("/admin").except_("banned").volatile.emit("tick", 7)
        io.flush()   # waits until Redis has everything; raises if a queued emit failed

An Emitter and everything made from it (of(), to(), ...) share one pipelined Redis connection, served by the
library's I/O thread; they may be used from any number of threads (the C calls release the GIL). Operators are
immutable: to() / except_() / volatile / compress() / timeout() return new ones, so a partial chain may be kept and
reused (`user42 = io.to("user:42")`).
"""

from __future__ import annotations

import collections
import ctypes
import datetime
import json
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple, Union

from . import _native
from ._native import ARG_BINARY, ARG_JSON, ARG_MSGPACK, ARG_STRING, Arg, DeliveryC, Error, PublishedC, RepliesC, check, take_string
from .errors import InvalidArgumentError, InvalidUTF8Error, Status

try:
    import msgpack as _msgpack
except ImportError:  # a dependency of the package; only values holding bytes or datetimes need it
    _msgpack = None

__all__ = ["Emitter", "BroadcastOperator", "Published", "Replies", "Delivery", "RemoteSocket", "Sockets",
           "ServerAcks", "Rooms"]

Rooms = Union[str, Iterable[str]]
_BINARY = (bytes, bytearray, memoryview)
_MODES = {"classic": 0, "sharded": 1, "streams": 2}
_SUBSCRIPTION_MODES = {"dynamic": 0, "static": 1, "dynamic-private": 2}
_OVERFLOW = {"fail_new": 0, "drop_oldest": 1}


# ---- results ------------------------------------------------------------------------------------------------------


class Published(NamedTuple):
    """What one publish did. `receivers`: the Redis subscriptions that received it (with the classic adapter one per
    Socket.IO server of the namespace; 0 = nobody listens on that key and namespace), or None when not known
    (streams mode, a classic PUBLISH on a Redis Cluster, dry run). `offset`: in streams mode the entry's id, the
    offset clients recover from; "" otherwise."""

    receivers: Optional[int]
    offset: str


@dataclass(frozen=True)
class Replies:
    """How a request went: `servers` answers were expected (the servers subscribed to the request channel),
    `answered` arrived in time; `timed_out` means the timeout came first and the result is partial."""

    servers: int
    answered: int
    timed_out: bool


@dataclass(frozen=True)
class Delivery:
    """What a confirmed emit reached: `clients` sockets it was written to (summed over the servers that answered);
    with emit_with_ack, `acks` holds the first argument of each client acknowledgement, in arrival order."""

    clients: int
    acks: List[Any]
    replies: Replies


@dataclass(frozen=True)
class RemoteSocket:
    """A socket on some server (fetch_sockets): its id, rooms (including its own id), handshake (headers, time,
    address, xdomain, secure, issued, url, query, auth) and socket.data. A member a server left out is None."""

    id: str
    rooms: List[str]
    handshake: Any
    data: Any


@dataclass(frozen=True)
class Sockets:
    """The result of fetch_sockets(): a sequence of RemoteSocket, and how the request went (`replies`)."""

    sockets: List[RemoteSocket]
    replies: Replies

    def __iter__(self) -> Iterator[RemoteSocket]:
        return iter(self.sockets)

    def __len__(self) -> int:
        return len(self.sockets)

    def __getitem__(self, i: int) -> RemoteSocket:
        return self.sockets[i]


@dataclass(frozen=True)
class ServerAcks:
    """What server_side_emit_with_ack collected: the value each answering server acknowledged with (None for
    undefined), in arrival order, and how the request went."""

    responses: List[Any] = field(default_factory=list)
    replies: Replies = Replies(0, 0, False)


# ---- encoding arguments -------------------------------------------------------------------------------------------


class _NeedsMsgpack(Exception):
    """Raised out of the JSON encoder: the argument holds bytes or a datetime, which JSON cannot carry."""


def _not_json(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview, datetime.datetime)):
        raise _NeedsMsgpack()
    raise TypeError(f"a {type(value).__name__} is not a JSON value: convert it first (str(), list(), dict())")


# allow_nan=False: NaN and Infinity are not JSON; ensure_ascii (the default): the library then reads plain ASCII,
# and a lone surrogate reaches it escaped, to be refused with its own message.
_json_encoder = json.JSONEncoder(allow_nan=False, separators=(",", ":"), default=_not_json)
try:  # CPython's C encoder called directly: JSONEncoder.encode's Python layers cost as much as the encoding
    from json.encoder import c_make_encoder, encode_basestring_ascii

    # No circular check (markers None): a cycle ends in RecursionError instead, reported as such below.
    _c_encoder = c_make_encoder(None, _not_json, encode_basestring_ascii, None, ":", ",", False, False, False)

    def _encode_json(value: Any) -> str:
        if isinstance(value, str):
            return encode_basestring_ascii(value)
        return "".join(_c_encoder(value, 0))
except ImportError:  # another Python
    _encode_json = _json_encoder.encode
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _msgpack_extra(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        # A JavaScript Date on the servers (msgpack timestamp). A naive datetime is local time, as Python takes it.
        delta = (value if value.tzinfo is not None else value.astimezone()) - _EPOCH
        nanoseconds = ((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds) * 1000
        return _msgpack.Timestamp.from_unix_nano(nanoseconds)
    if isinstance(value, memoryview):
        return value.tobytes()
    raise TypeError(f"a {type(value).__name__} is not a JSON value: convert it first (str(), list(), dict())")


def _utf8(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str, not {type(text).__name__}")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidUTF8Error(Status.INVALID_UTF8, f"{what} is not valid UTF-8: {e.reason} at index {e.start}") \
            from None


def _packed_arg(value: Any, i: int) -> bytes:
    # Values holding bytes or datetimes go as msgpack, which the library reads as notepack does (SIO_ARG_MSGPACK):
    # the bytes on Redis are the ones it writes for the same value given any other way.
    if _msgpack is None:
        raise TypeError(f"argument {i + 1}: bytes or datetimes inside a value need the msgpack package "
                        f"(pip install msgpack), or send the bytes as a whole argument")
    try:
        return _msgpack.packb(value, use_bin_type=True, default=_msgpack_extra)
    except UnicodeEncodeError as e:
        raise InvalidUTF8Error(Status.INVALID_UTF8, f"argument {i + 1}: a string is not valid UTF-8: {e.reason}") \
            from None
    except (TypeError, ValueError, OverflowError) as e:
        raise type(e)(f"argument {i + 1}: {e}") from None


def _json_arg(value: Any, i: int) -> Optional[bytes]:
    """The JSON text of argument i, or None when it holds bytes or a datetime (then it goes as msgpack)."""
    try:
        return _encode_json(value).encode("ascii")
    except _NeedsMsgpack:
        return None
    except TypeError as e:
        raise TypeError(f"argument {i + 1}: {e}") from None
    except ValueError as e:  # NaN or Infinity
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"argument {i + 1}: {e}: JSON has no NaN or Infinity") \
            from None
    except RecursionError:
        raise InvalidArgumentError(Status.INVALID_ARGUMENT, f"argument {i + 1}: nested too deeply, or it contains "
                                                            f"itself") from None


def encode_args(args: Sequence[Any]) -> Tuple[Any, int]:
    """The sio_arg array of `args`: bytes-like objects as binary, str as strings, values holding bytes or datetimes
    (anywhere inside) as msgpack, anything else as JSON."""
    n = len(args)
    array = (Arg * (n or 1))()
    for i, a in enumerate(args):
        slot = array[i]
        if isinstance(a, str):
            data = _utf8(a, f"argument {i + 1}")
            slot.kind = ARG_STRING
        elif isinstance(a, _BINARY):
            data = a if isinstance(a, bytes) else bytes(a)
            slot.kind = ARG_BINARY
        else:
            text = _json_arg(a, i)
            if text is None:
                data = _packed_arg(a, i)
                slot.kind = ARG_MSGPACK
            else:
                data = text
                slot.kind = ARG_JSON
        slot.data = data  # points into the bytes object, which the array keeps alive
        slot.size = len(data)
    return array, n


def _room_list(rooms: Tuple[Rooms, ...]) -> List[str]:
    out: List[str] = []
    for r in rooms:
        if isinstance(r, str):
            out.append(r)
        elif isinstance(r, (bytes, bytearray)):
            raise TypeError("a room is a str, not bytes")
        else:
            for x in r:
                if not isinstance(x, str):
                    raise TypeError(f"a room is a str, not {type(x).__name__}")
                out.append(x)
    return out


def _ms(seconds: Optional[float], what: str) -> int:
    """A timeout in seconds as the C API's milliseconds; None = the library's default (0)."""
    if seconds is None:
        return 0
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0:
        raise ValueError(f"{what} must be a positive number of seconds, not {seconds!r}")
    return max(1, round(seconds * 1000))


def _replies(r: RepliesC) -> Replies:
    return Replies(int(r.servers), int(r.answered), bool(r.timed_out))


# ---- the shared handle --------------------------------------------------------------------------------------------


class _Handle:
    """The sio_emitter every view of one Emitter shares. close() waits for the calls in flight (other threads) and
    then frees it, so no call ever runs on a freed emitter. Also the operators to() made recently, by namespace and
    room: they are immutable, and each holds its C target, so a user notified again reuses both."""

    __slots__ = ("lib", "_ptr", "_users", "_lock", "_drained", "closing", "operators")

    OPERATOR_CACHE = 1024

    def __init__(self, lib: ctypes.CDLL, ptr: int):
        self.lib = lib
        self._ptr = ptr
        self._users = 0
        self._lock = threading.Lock()
        self._drained = threading.Event()
        self.closing = False
        self.operators: "collections.OrderedDict[Tuple[str, str], BroadcastOperator]" = collections.OrderedDict()

    def enter(self) -> int:
        with self._lock:
            if self.closing:
                raise RuntimeError("this Emitter is closed")
            self._users += 1
            return self._ptr

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self.closing and self._users == 0:
                self._drained.set()

    def call(self, fn: Any, *args: Any) -> int:
        """fn(the emitter, *args): a C call on this emitter, which close() waits for."""
        ptr = self.enter()
        try:
            return fn(ptr, *args)
        finally:
            self.leave()

    def close(self) -> None:
        with self._lock:
            if self.closing:
                return
            self.closing = True
            if self._users == 0:
                self._drained.set()
        self._drained.wait()
        ptr, self._ptr = self._ptr, 0
        self.operators.clear()
        if ptr:
            self.lib.sio_emitter_free(ptr)  # waits up to the command timeout for queued emits

    def __del__(self) -> None:
        ptr = getattr(self, "_ptr", 0)
        if ptr and self.lib is not None:
            self._ptr = 0
            self.lib.sio_emitter_free(ptr)

    @property
    def closed(self) -> bool:
        return self.closing


# ---- BroadcastOperator --------------------------------------------------------------------------------------------

_target_lock = threading.Lock()


class BroadcastOperator:
    """Who an event reaches: a namespace, rooms to reach, rooms to leave out, flags. Immutable: every method that
    narrows it returns a new operator. Made by Emitter.to() / in_() / except_() / volatile / compress()."""

    __slots__ = ("_handle", "_nsp", "_rooms", "_except", "_flags", "_timeout", "_ctarget", "__weakref__")

    def __init__(self, handle: _Handle, nsp: str, rooms: Tuple[str, ...] = (), except_: Tuple[str, ...] = (),
                 flags: Tuple[Tuple[str, bool], ...] = (), timeout: Optional[float] = None):
        self._handle = handle
        self._nsp = nsp
        self._rooms = rooms
        self._except = except_
        self._flags = flags
        self._timeout = timeout
        self._ctarget: Optional[int] = None

    def _with(self, **changes: Any) -> "BroadcastOperator":
        state = {"nsp": self._nsp, "rooms": self._rooms, "except_": self._except, "flags": self._flags,
                 "timeout": self._timeout}
        state.update(changes)
        return BroadcastOperator(self._handle, **state)

    # -- narrowing --

    def to(self, *rooms: Rooms) -> "BroadcastOperator":
        """Also reaches the sockets of these rooms: to("user:42"), to("a", "b"), to(["a", "b"])."""
        if len(rooms) == 1 and type(rooms[0]) is str and not (self._rooms or self._except or self._flags
                                                              or self._timeout is not None):
            return self._to_one(rooms[0])
        return BroadcastOperator(self._handle, self._nsp, self._rooms + tuple(_room_list(rooms)), self._except,
                                 self._flags, self._timeout)

    def _to_one(self, room: str) -> "BroadcastOperator":
        # The common call, io.to("user:42"), answered from the handle's recent operators (and their C targets).
        handle = self._handle
        key = (self._nsp, room)
        op = handle.operators.get(key)
        if op is None:
            op = BroadcastOperator(handle, self._nsp, (room,))
            cache = handle.operators
            if len(cache) >= _Handle.OPERATOR_CACHE:
                try:
                    cache.popitem(last=False)  # the oldest, in O(1) (a dict's first key is not: deleted slots)
                except KeyError:
                    pass  # another thread emptied it meanwhile
            cache[key] = op
        return op

    in_ = to  # Node's in(); `in` is a Python keyword

    def except_(self, *rooms: Rooms) -> "BroadcastOperator":
        """Leaves out the sockets of these rooms (Node's except(); `except` is a Python keyword)."""
        return self._with(except_=self._except + tuple(_room_list(rooms)))

    @property
    def volatile(self) -> "BroadcastOperator":
        """Socket.IO's volatile flag: the event may be dropped for clients that are not ready to receive it."""
        return self._with(flags=self._flags + (("volatile", True),))

    def compress(self, enabled: bool = True) -> "BroadcastOperator":
        """Whether the receiving servers may compress the packet."""
        return self._with(flags=self._flags + (("compress", bool(enabled)),))

    def timeout(self, seconds: float) -> "BroadcastOperator":
        """How long the requests (emit_confirmed, emit_with_ack, fetch_sockets) wait for the servers' answers."""
        _ms(seconds, "timeout")
        return self._with(timeout=seconds)

    @property
    def nsp(self) -> str:
        return self._nsp

    def __repr__(self) -> str:
        parts = [f"nsp={self._nsp!r}"]
        if self._rooms:
            parts.append(f"to={list(self._rooms)!r}")
        if self._except:
            parts.append(f"except_={list(self._except)!r}")
        parts += [f"{k}={v}" for k, v in self._flags]
        return f"BroadcastOperator({', '.join(parts)})"

    # -- the C target, built once per operator --

    def _target(self) -> int:
        t = self._ctarget
        if t is not None:
            return t
        lib = self._handle.lib
        t = lib.sio_target_new()
        if not t:
            raise MemoryError("sio_target_new")
        try:
            err = Error()
            if self._nsp != "/":
                check(lib.sio_target_set_nsp(t, _utf8(self._nsp, "nsp"), err), err)
            for room in self._rooms:
                check(lib.sio_target_to(t, _utf8(room, "room"), err), err)
            for room in self._except:
                check(lib.sio_target_except(t, _utf8(room, "room"), err), err)
            for flag, enabled in self._flags:
                if flag == "volatile":
                    check(lib.sio_target_set_volatile(t, err), err)
                else:
                    check(lib.sio_target_set_compress(t, 1 if enabled else 0, err), err)
        except BaseException:
            lib.sio_target_free(t)
            raise
        with _target_lock:
            if self._ctarget is None:
                self._ctarget = t
                return t
        lib.sio_target_free(t)  # another thread built it first
        return self._ctarget

    def __del__(self) -> None:
        t = getattr(self, "_ctarget", None)
        if t:
            handle = getattr(self, "_handle", None)
            if handle is not None and handle.lib is not None:
                handle.lib.sio_target_free(t)

    # -- publishing --

    def emit(self, event: str, *args: Any) -> None:
        """Emits `event` with `args` to the targeted sockets. Queues the publish on the pipelined connection and
        returns at once: a failure after that is reported by the next flush(), never dropped. While Redis is
        unreachable the emit waits in a bounded buffer (max_buffered_messages) and goes out once reconnected.

        Arguments: bytes / bytearray / memoryview arrive as a Buffer (ArrayBuffer in browsers); anything else is
        sent as its JSON value (dict, list, str, int, float, bool, None). Raises DataError (nothing published) for
        bad input, RedisConnectionError when the emit cannot be kept (buffer full, buffering off)."""
        self._emit_encoded(_utf8(event, "event"), *encode_args(args))

    def _emit_encoded(self, name: bytes, array: Any, n: int) -> None:
        # emit() once its arguments are encoded: the C call (AsyncEmitter's worker thread makes only this one).
        target = self._target()
        handle = self._handle
        err = Error()
        status = handle.call(handle.lib.sio_emit, target, name, array, n, None, err)
        if status:
            check(status, err)

    def emit_sync(self, event: str, *args: Any) -> Published:
        """emit() that waits for Redis' reply: the receivers, and in streams mode the entry id."""
        array, n = encode_args(args)
        name = _utf8(event, "event")
        target = self._target()
        out = PublishedC()
        err = Error()
        handle = self._handle
        status = handle.call(handle.lib.sio_emit_sync, target, name, array, n, out, err)
        check(status, err)
        return Published(None if out.receivers < 0 else int(out.receivers), out.offset.decode("ascii"))

    def _receivers_call(self, fn: Any, *args: Any) -> Optional[int]:
        receivers = ctypes.c_longlong(0)
        err = Error()
        handle = self._handle
        status = handle.call(fn, *args, ctypes.byref(receivers), err)
        check(status, err)
        return None if receivers.value < 0 else int(receivers.value)

    def _membership(self, fn: Any, rooms: Tuple[Rooms, ...]) -> Optional[int]:
        names = [_utf8(r, "room") for r in _room_list(rooms)]
        c_rooms = (ctypes.c_char_p * (len(names) or 1))(*names)
        return self._receivers_call(fn, self._target(), c_rooms, len(names))

    def sockets_join(self, *rooms: Rooms) -> Optional[int]:
        """Makes the targeted sockets join `rooms` (socketsJoin). Returns the receivers (None when not known)."""
        return self._membership(self._handle.lib.sio_sockets_join, rooms)

    def sockets_leave(self, *rooms: Rooms) -> Optional[int]:
        """Makes the targeted sockets leave `rooms` (socketsLeave)."""
        return self._membership(self._handle.lib.sio_sockets_leave, rooms)

    def disconnect_sockets(self, close: bool = False) -> Optional[int]:
        """Disconnects the targeted sockets; close=True also closes their underlying connections."""
        return self._receivers_call(self._handle.lib.sio_disconnect_sockets, self._target(), 1 if close else 0)

    # -- requests: the servers answer --

    def _confirmed(self, event: str, args: Sequence[Any], wait_for_acks: bool) -> Delivery:
        array, n = encode_args(args)
        name = _utf8(event, "event")
        target = self._target()
        out = DeliveryC()
        acks = ctypes.c_void_p()
        err = Error()
        handle = self._handle
        status = handle.call(handle.lib.sio_emit_confirmed, target, name, array, n, _ms(self._timeout, "timeout"),
                             1 if wait_for_acks else 0, out, ctypes.byref(acks), err)
        acks_text = take_string(handle.lib, acks.value)
        check(status, err)
        return Delivery(int(out.clients), json.loads(acks_text) if acks_text else [], _replies(out.replies))

    def emit_confirmed(self, event: str, *args: Any) -> Delivery:
        """Emits with delivery confirmation: every server writes the event to its targeted sockets and reports how
        many (Delivery.clients). Clients receive it with an ack id, so a listener may answer
        (socket.on("notification", (n, ack) => ack(...))). Waits at most the request timeout; a timeout is not an
        error: Delivery.replies.timed_out says the result is partial."""
        return self._confirmed(event, args, False)

    def emit_with_ack(self, event: str, *args: Any) -> Delivery:
        """emit_confirmed() that also waits for every targeted client's acknowledgement (Node's emitWithAck):
        Delivery.acks holds the first argument of each, in arrival order."""
        return self._confirmed(event, args, True)

    def fetch_sockets(self) -> Sockets:
        """Presence: the targeted sockets on every server, with their rooms, handshake and data (fetchSockets)."""
        target = self._target()
        out = RepliesC()
        text = ctypes.c_void_p()
        count = ctypes.c_size_t(0)
        err = Error()
        handle = self._handle
        status = handle.call(handle.lib.sio_fetch_sockets_json, target, _ms(self._timeout, "timeout"), out,
                             ctypes.byref(text), ctypes.byref(count), err)
        body = take_string(handle.lib, text.value)
        check(status, err)
        sockets = [RemoteSocket(s.get("id"), s.get("rooms") or [], s.get("handshake"), s.get("data"))
                   for s in (json.loads(body) if body else [])]
        return Sockets(sockets, _replies(out))


# ---- Emitter ------------------------------------------------------------------------------------------------------


class Emitter:
    """Publishes like @socket.io/redis-emitter through one pipelined Redis connection (opened on first use, or by
    connect(); reopened in the background with backoff after a failure).

    url: redis://[user[:password]@]host[:port][/db], rediss://... (TLS), unix:///path, redis+cluster://h:p,h:p,...
    (a Redis Cluster: seeds), redis+sentinel://h:p,.../master-name (a Sentinel-managed master). None: $REDIS_URL,
    else redis://127.0.0.1:6379.

    Options (keyword only; None means the library's default):
      key: the servers' createAdapter() key / channelPrefix (default "socket.io").
      mode: the servers' adapter: "classic" (createAdapter, the default), "sharded" (createShardedAdapter, Redis
        >= 7; with subscription_mode "dynamic", "static" or "dynamic-private") or "streams"
        (@socket.io/redis-streams-adapter; with stream_name, stream_count, stream_max_len).
      timeout: connect and command timeout in seconds (or connect_timeout / command_timeout apart, default 5);
        request_timeout: how long requests wait for the servers' answers (default 5).
      username, password: override the URL's.
      dry_run: validate and encode only, never connect (receivers are then None).
      While Redis is unreachable queued emits are buffered: max_buffered_messages (default 100000; a negative
        number: no buffering), max_buffered_bytes (default 64 MiB), overflow "fail_new" (the default: the new emit
        raises RedisConnectionError) or "drop_oldest" (the next flush() reports what was dropped);
        reconnect_delay / max_reconnect_delay in seconds (default 0.1 / 5: exponential backoff, full jitter).
      TLS (rediss:// URLs, or tls=True): tls_ca_file / tls_ca_dir (trusted CAs; default the system's),
        tls_cert_file + tls_key_file (a client certificate), tls_server_name (the name to verify),
        tls_insecure (no verification: tests only). A refused certificate raises TLSError.
      library: the path of libsio-emitter.so (default: $SIO_LIBRARY, pkg-config, the install prefixes).

    An Emitter is a context manager: leaving the block closes it (after waiting up to the command timeout for
    queued emits; call flush() first to learn whether they all succeeded).
    """

    def __init__(
        self,
        url: Optional[str] = None,
        *,
        key: Optional[str] = None,
        mode: str = "classic",
        subscription_mode: str = "dynamic",
        stream_name: Optional[str] = None,
        stream_count: Optional[int] = None,
        stream_max_len: Optional[int] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        command_timeout: Optional[float] = None,
        request_timeout: Optional[float] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        dry_run: bool = False,
        max_buffered_messages: Optional[int] = None,
        max_buffered_bytes: Optional[int] = None,
        overflow: str = "fail_new",
        reconnect_delay: Optional[float] = None,
        max_reconnect_delay: Optional[float] = None,
        tls: bool = False,
        tls_ca_file: Optional[str] = None,
        tls_ca_dir: Optional[str] = None,
        tls_cert_file: Optional[str] = None,
        tls_key_file: Optional[str] = None,
        tls_server_name: Optional[str] = None,
        tls_insecure: bool = False,
        library: Optional[str] = None,
        _handle: Optional[_Handle] = None,
        _nsp: str = "/",
    ):
        self._nsp = _nsp
        if _handle is not None:  # of(): a view sharing the connection
            self._handle = _handle
            self._all = BroadcastOperator(_handle, _nsp)
            return
        lib = _native.load_library(library)
        if url is None:
            url = os.environ.get("REDIS_URL") or None
        options = _native.Options()
        lib.sio_options_init(ctypes.byref(options))
        keep: List[bytes] = []  # the strings options points to, alive until sio_emitter_new has copied them

        def text(value: Optional[str], what: str) -> Optional[bytes]:
            if value is None:
                return None
            data = _utf8(value, what)
            keep.append(data)
            return data

        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(map(repr, _MODES))}, not {mode!r}")
        if subscription_mode not in _SUBSCRIPTION_MODES:
            raise ValueError(f"subscription_mode must be one of {', '.join(map(repr, _SUBSCRIPTION_MODES))}, "
                             f"not {subscription_mode!r}")
        if overflow not in _OVERFLOW:
            raise ValueError(f"overflow must be one of {', '.join(map(repr, _OVERFLOW))}, not {overflow!r}")
        options.key = text(key, "key")
        options.mode = _MODES[mode]
        options.subscription_mode = _SUBSCRIPTION_MODES[subscription_mode]
        options.stream_name = text(stream_name, "stream_name")
        for name, value in (("stream_count", stream_count), ("stream_max_len", stream_max_len),
                            ("max_buffered_messages", max_buffered_messages),
                            ("max_buffered_bytes", max_buffered_bytes)):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(f"{name} must be an int, not {type(value).__name__}")
                setattr(options, name, value)
        if timeout is not None:
            options.connect_timeout_ms = options.command_timeout_ms = _ms(timeout, "timeout")
        for name, value in (("connect_timeout_ms", connect_timeout), ("command_timeout_ms", command_timeout),
                            ("request_timeout_ms", request_timeout), ("reconnect_delay_ms", reconnect_delay),
                            ("max_reconnect_delay_ms", max_reconnect_delay)):
            if value is not None:
                setattr(options, name, _ms(value, name[:-3]))
        options.overflow = _OVERFLOW[overflow]
        options.username = text(username, "username")
        options.password = text(password, "password")
        options.dry_run = 1 if dry_run else 0
        options.tls = 1 if tls else 0
        options.tls_insecure = 1 if tls_insecure else 0
        options.tls_ca_file = text(tls_ca_file, "tls_ca_file")
        options.tls_ca_dir = text(tls_ca_dir, "tls_ca_dir")
        options.tls_cert_file = text(tls_cert_file, "tls_cert_file")
        options.tls_key_file = text(tls_key_file, "tls_key_file")
        options.tls_server_name = text(tls_server_name, "tls_server_name")
        ptr = ctypes.c_void_p()
        err = Error()
        status = lib.sio_emitter_new(text(url, "url"), ctypes.byref(options), ctypes.byref(ptr), err)
        check(status, err)
        self._handle = _Handle(lib, ptr.value)
        self._all = BroadcastOperator(self._handle, "/")

    # -- lifetime --

    def close(self) -> None:
        """Closes the Redis connection, after waiting up to the command timeout for queued emits. Idempotent; also
        closes every view (of()) of this emitter."""
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self) -> "Emitter":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def connect(self) -> None:
        """Connects now, to fail fast (otherwise the first publish connects)."""
        err = Error()
        status = self._handle.call(self._handle.lib.sio_emitter_connect, err)
        check(status, err)

    def flush(self, timeout: Optional[float] = None) -> None:
        """Waits until everything queued so far (from any thread) is answered by Redis. Raises RedisTimeoutError
        if some is not within `timeout` seconds (None: the command timeout bounds each command); otherwise, if an
        emit failed since the previous flush, the first failure (its message counts them)."""
        ms = _ms(timeout, "timeout")
        err = Error()
        status = self._handle.call(self._handle.lib.sio_emitter_flush, ms, err)
        check(status, err)

    # -- namespaces and operators --

    def of(self, nsp: str) -> "Emitter":
        """The same emitter on another namespace ("admin" is taken as "/admin"); it shares the connection."""
        _utf8(nsp, "nsp")
        if not nsp.startswith("/"):
            nsp = "/" + nsp
        return Emitter(_handle=self._handle, _nsp=nsp)

    @property
    def nsp(self) -> str:
        return self._nsp

    def to(self, *rooms: Rooms) -> BroadcastOperator:
        """An operator reaching the sockets of these rooms: io.to("user:42").emit(...)."""
        return self._all.to(*rooms)

    in_ = to

    def except_(self, *rooms: Rooms) -> BroadcastOperator:
        return self._all.except_(*rooms)

    @property
    def volatile(self) -> BroadcastOperator:
        return self._all.volatile

    def compress(self, enabled: bool = True) -> BroadcastOperator:
        return self._all.compress(enabled)

    def timeout(self, seconds: float) -> BroadcastOperator:
        return self._all.timeout(seconds)

    def emit(self, event: str, *args: Any) -> None:
        """Emits to every socket of the namespace (see BroadcastOperator.emit)."""
        self._all.emit(event, *args)

    def emit_sync(self, event: str, *args: Any) -> Published:
        return self._all.emit_sync(event, *args)

    def emit_confirmed(self, event: str, *args: Any) -> Delivery:
        return self._all.emit_confirmed(event, *args)

    def emit_with_ack(self, event: str, *args: Any) -> Delivery:
        return self._all.emit_with_ack(event, *args)

    def fetch_sockets(self) -> Sockets:
        return self._all.fetch_sockets()

    def sockets_join(self, *rooms: Rooms) -> Optional[int]:
        return self._all.sockets_join(*rooms)

    def sockets_leave(self, *rooms: Rooms) -> Optional[int]:
        return self._all.sockets_leave(*rooms)

    def disconnect_sockets(self, close: bool = False) -> Optional[int]:
        return self._all.disconnect_sockets(close)

    # -- the servers themselves --

    def server_side_emit(self, event: str, *args: Any) -> Optional[int]:
        """Emits to the namespace's server-side listeners on every server (serverSideEmit). connect, connection and
        new_namespace are refused, as Node refuses them."""
        array, n = encode_args(args)
        return self._all._receivers_call(self._handle.lib.sio_server_side_emit, _utf8(self._nsp, "nsp"),
                                         _utf8(event, "event"), array, n)

    def server_side_emit_with_ack(self, event: str, *args: Any, timeout: Optional[float] = None) -> ServerAcks:
        """server_side_emit() collecting each server's acknowledgement (serverSideEmitWithAck): Node servers answer
        when a listener calls its last argument, a callback. Waits at most `timeout` (default: request_timeout)."""
        array, n = encode_args(args)
        out = RepliesC()
        text = ctypes.c_void_p()
        err = Error()
        handle = self._handle
        status = handle.call(handle.lib.sio_server_side_emit_with_ack, _utf8(self._nsp, "nsp"), _utf8(event, "event"),
                             array, n, _ms(timeout, "timeout"), out, ctypes.byref(text), err)
        body_out = take_string(handle.lib, text.value)
        check(status, err)
        return ServerAcks(json.loads(body_out) if body_out else [], _replies(out))

    def server_count(self) -> int:
        """The Socket.IO servers of this namespace (subscribers of its request channel); 0 in dry-run mode."""
        count = ctypes.c_longlong(0)
        err = Error()
        handle = self._handle
        status = handle.call(handle.lib.sio_server_count, _utf8(self._nsp, "nsp"), ctypes.byref(count), err)
        check(status, err)
        return int(count.value)

    def __repr__(self) -> str:
        return f"<sio.Emitter nsp={self._nsp!r}{' closed' if self.closed else ''}>"
