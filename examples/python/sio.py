"""sio for Python: publish Socket.IO broadcasts through Redis via the sio C API (libsio-emitter.so), with ctypes.

    from sio import Emitter

    with Emitter("redis://127.0.0.1:6379") as io:
        io.emit("notification", {"type": "ORDER_UPDATED", "payload": {"orderId": 7}}, to=["user:42"])
        io.emit("avatar", b"\\x89PNG...", to=["user:42"])   # bytes arrive as a Buffer / ArrayBuffer
        io.sockets_join(["vip"], to=["user:42"])
        io.server_side_emit("cache-flush", {"scope": "users"})

The library is found from, in order: the `library` argument, $SIO_LIBRARY, ctypes.util.find_library("sio-emitter").
Arguments are JSON-encoded with json.dumps (bytes, bytearray and memoryview are sent as binary). Failures raise
SioError subclasses: DataError for bad input (nothing was published; retrying will not help), RedisError for Redis
(connection, auth, timeout, error reply; a retry may help). An Emitter may be shared between threads: the C library
serialises calls, and ctypes releases the GIL while they run.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import json
import os
import threading
from typing import Any, Iterable, NamedTuple, Optional

__all__ = ["Emitter", "SioError", "DataError", "RedisError", "Status", "load_library", "library_version"]

# The C API version these bindings were written for; the library must have the same MAJOR.MINOR.
_API_MAJOR, _API_MINOR = 0, 4


class Status(enum.IntEnum):
    """sio_status of sio/emitter.h."""

    OK = 0
    INVALID_ARGUMENT = 1
    INVALID_JSON = 2
    INVALID_UTF8 = 3
    RESERVED_EVENT = 4
    INVALID_URL = 5
    CONNECTION = 10
    AUTH = 11
    TIMEOUT = 12
    REPLY = 13
    PROTOCOL = 14
    TLS = 15
    NO_MEMORY = 20
    INTERNAL = 21


class SioError(Exception):
    """A failed sio call: `status` (a Status, or the raw int if unknown) and the library's `message`."""

    def __init__(self, status: int, message: str):
        try:
            status = Status(status)
        except ValueError:
            pass
        super().__init__(f"{_strerror(status)}: {message}" if message else _strerror(status))
        self.status = status
        self.message = message


class DataError(SioError):
    """Bad input (invalid JSON or UTF-8, empty or reserved event, empty room, bad URL): nothing was published."""


class RedisError(SioError):
    """Talking to Redis failed; the command may or may not have reached it."""


def _error_class(status: int) -> type:
    if 1 <= status <= 9:
        return DataError
    if 10 <= status <= 19:
        return RedisError
    return SioError


# ---- the C declarations -------------------------------------------------------------------------------------------

_ERROR_MESSAGE_SIZE = 512
_ARG_JSON, _ARG_STRING, _ARG_BINARY = 0, 1, 2


class _Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * _ERROR_MESSAGE_SIZE)]


class _Options(ctypes.Structure):
    _fields_ = [
        ("key", ctypes.c_char_p),
        ("connect_timeout_ms", ctypes.c_long),
        ("command_timeout_ms", ctypes.c_long),
        ("username", ctypes.c_char_p),
        ("password", ctypes.c_char_p),
        ("dry_run", ctypes.c_int),
        ("request_timeout_ms", ctypes.c_long),
        ("max_buffered_messages", ctypes.c_long),
        ("max_buffered_bytes", ctypes.c_longlong),
        ("overflow", ctypes.c_int),
        ("reconnect_delay_ms", ctypes.c_long),
        ("max_reconnect_delay_ms", ctypes.c_long),
        ("tls_ca_file", ctypes.c_char_p),
        ("tls_ca_dir", ctypes.c_char_p),
        ("tls_cert_file", ctypes.c_char_p),
        ("tls_key_file", ctypes.c_char_p),
        ("tls_server_name", ctypes.c_char_p),
        ("tls_insecure", ctypes.c_int),
        ("tls", ctypes.c_int),
        ("mode", ctypes.c_int),
        ("subscription_mode", ctypes.c_int),
        ("stream_name", ctypes.c_char_p),
        ("stream_count", ctypes.c_long),
        ("stream_max_len", ctypes.c_long),
    ]


class _Arg(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("data", ctypes.c_void_p), ("size", ctypes.c_size_t)]


class _Published(ctypes.Structure):
    _fields_ = [("receivers", ctypes.c_longlong), ("offset", ctypes.c_char * 48)]


_MODES = {"classic": 0, "sharded": 1, "streams": 2}
_SUBSCRIPTION_MODES = {"dynamic": 0, "static": 1, "dynamic-private": 2}


class Published(NamedTuple):
    """What one publish did: the receivers (None when not known: streams mode, a classic PUBLISH on a Redis Cluster,
    dry run) and, in streams mode, the entry id clients recover from ("" otherwise)."""

    receivers: Optional[int]
    offset: str


_lib: Optional[ctypes.CDLL] = None
_lib_lock = threading.Lock()


def _declare(lib: ctypes.CDLL) -> None:
    c_int, c_long, c_char_p, c_void_p, c_size_t = ctypes.c_int, ctypes.c_long, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t
    err_p = ctypes.POINTER(_Error)
    ll_p = ctypes.POINTER(ctypes.c_longlong)
    rooms_p = ctypes.POINTER(c_char_p)
    signatures = {
        "sio_strerror": (c_char_p, [c_int]),
        "sio_version": (c_char_p, []),
        "sio_version_number": (ctypes.c_uint, []),
        "sio_options_init": (None, [ctypes.POINTER(_Options)]),
        "sio_emitter_new": (c_int, [c_char_p, ctypes.POINTER(_Options), ctypes.POINTER(c_void_p), err_p]),
        "sio_emitter_free": (None, [c_void_p]),
        "sio_emitter_connect": (c_int, [c_void_p, err_p]),
        "sio_emitter_flush": (c_int, [c_void_p, c_long, err_p]),
        "sio_target_new": (c_void_p, []),
        "sio_target_free": (None, [c_void_p]),
        "sio_target_set_nsp": (c_int, [c_void_p, c_char_p, err_p]),
        "sio_target_to": (c_int, [c_void_p, c_char_p, err_p]),
        "sio_target_except": (c_int, [c_void_p, c_char_p, err_p]),
        "sio_target_set_volatile": (c_int, [c_void_p, err_p]),
        "sio_target_set_compress": (c_int, [c_void_p, c_int, err_p]),
        "sio_emit": (c_int, [c_void_p, c_void_p, c_char_p, ctypes.POINTER(_Arg), c_size_t, ll_p, err_p]),
        "sio_emit_sync": (c_int, [c_void_p, c_void_p, c_char_p, ctypes.POINTER(_Arg), c_size_t,
                                  ctypes.POINTER(_Published), err_p]),
        "sio_sockets_join": (c_int, [c_void_p, c_void_p, rooms_p, c_size_t, ll_p, err_p]),
        "sio_sockets_leave": (c_int, [c_void_p, c_void_p, rooms_p, c_size_t, ll_p, err_p]),
        "sio_disconnect_sockets": (c_int, [c_void_p, c_void_p, c_int, ll_p, err_p]),
        "sio_server_side_emit_json": (c_int, [c_void_p, c_char_p, c_char_p, c_char_p, ll_p, err_p]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)  # AttributeError here: not a libsio-emitter with the C API
        fn.restype = restype
        fn.argtypes = argtypes


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads libsio-emitter once per process: `path`, else $SIO_LIBRARY, else find_library("sio-emitter")."""
    global _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        candidate = path or os.environ.get("SIO_LIBRARY") or ctypes.util.find_library("sio-emitter")
        if not candidate:
            raise OSError(
                "libsio-emitter.so not found: set SIO_LIBRARY to its path, install it where the dynamic linker "
                "looks (ldconfig), or pass library=PATH"
            )
        lib = ctypes.CDLL(candidate)
        _declare(lib)
        number = lib.sio_version_number()
        if (number // 10000, number // 100 % 100) != (_API_MAJOR, _API_MINOR):
            raise OSError(
                f"{candidate} is libsio-emitter {lib.sio_version().decode()}; "
                f"these bindings need {_API_MAJOR}.{_API_MINOR}.x"
            )
        _lib = lib
        return lib


def library_version() -> str:
    return load_library().sio_version().decode()


def _strerror(status: int) -> str:
    if _lib is None:
        return f"sio status {int(status)}"
    return _lib.sio_strerror(int(status)).decode("utf-8", "replace")


def _check(status: int, err: _Error) -> None:
    if status != Status.OK:
        raise _error_class(status)(status, err.message.decode("utf-8", "replace"))


def _text(s: str, what: str) -> bytes:
    if not isinstance(s, str):
        raise TypeError(f"{what} must be a str, not {type(s).__name__}")
    return s.encode("utf-8")  # embedded NULs are refused by ctypes (ValueError) rather than silently cut


def _rooms(rooms: Iterable[str], what: str) -> list:
    if isinstance(rooms, (str, bytes)):
        rooms = [rooms]  # to="user:42" is a common slip for to=["user:42"]; mean what it says
    return [_text(r, what) for r in rooms]


def _json(value: Any) -> bytes:
    # allow_nan=False: NaN and Infinity are not JSON; fail here with ValueError instead of sending invalid text.
    return json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")


# ---- the Emitter ---------------------------------------------------------------------------------------------------


class Emitter:
    """One Redis connection publishing like @socket.io/redis-emitter.

    url: redis://[user[:password]@]host[:port][/db], unix:///path, redis+cluster://host:port,... or
    redis+sentinel://host:port,.../master-name (None: $REDIS_URL, else redis://127.0.0.1:6379).
    key: the servers' createAdapter() key (default "socket.io"). timeout: connect and command timeout in seconds.
    mode: the servers' adapter, "classic" (default), "sharded" (with subscription_mode "dynamic", "static" or
    "dynamic-private") or "streams" (with stream_name, stream_count, stream_max_len): see the README, "Which mode".
    dry_run: validate and encode only, never connect (receivers are then None).
    TLS (rediss:// URLs, or tls=True with redis://): tls_ca_file / tls_ca_dir (trusted CAs; default: the system's),
    tls_cert_file + tls_key_file (a client certificate), tls_server_name (the name to verify), tls_insecure (no
    verification: tests only). A refused certificate raises RedisError with status Status.TLS.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        *,
        key: Optional[str] = None,
        timeout: Optional[float] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        dry_run: bool = False,
        library: Optional[str] = None,
        tls: bool = False,
        tls_ca_file: Optional[str] = None,
        tls_ca_dir: Optional[str] = None,
        tls_cert_file: Optional[str] = None,
        tls_key_file: Optional[str] = None,
        tls_server_name: Optional[str] = None,
        tls_insecure: bool = False,
        mode: str = "classic",
        subscription_mode: str = "dynamic",
        stream_name: Optional[str] = None,
        stream_count: Optional[int] = None,
        stream_max_len: Optional[int] = None,
    ):
        self._lib = load_library(library)
        self._handle: Optional[int] = None
        if url is None:
            url = os.environ.get("REDIS_URL") or None
        options = _Options()
        self._lib.sio_options_init(ctypes.byref(options))
        # Keep the encoded strings alive until sio_emitter_new has copied them.
        keep = {}
        if key is not None:
            keep["key"] = options.key = _text(key, "key")
        if timeout is not None:
            if not timeout > 0:
                raise ValueError("timeout must be a positive number of seconds")
            options.connect_timeout_ms = options.command_timeout_ms = max(1, round(timeout * 1000))
        if username is not None:
            keep["username"] = options.username = _text(username, "username")
        if password is not None:
            keep["password"] = options.password = _text(password, "password")
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}, not {mode!r}")
        if subscription_mode not in _SUBSCRIPTION_MODES:
            raise ValueError(f"subscription_mode must be one of {', '.join(_SUBSCRIPTION_MODES)}, "
                             f"not {subscription_mode!r}")
        options.mode = _MODES[mode]
        options.subscription_mode = _SUBSCRIPTION_MODES[subscription_mode]
        if stream_name is not None:
            keep["stream_name"] = options.stream_name = _text(stream_name, "stream_name")
        if stream_count is not None:
            options.stream_count = stream_count
        if stream_max_len is not None:
            options.stream_max_len = stream_max_len
        options.dry_run = 1 if dry_run else 0
        options.tls = 1 if tls else 0
        options.tls_insecure = 1 if tls_insecure else 0
        for field, value in (("tls_ca_file", tls_ca_file), ("tls_ca_dir", tls_ca_dir), ("tls_cert_file", tls_cert_file),
                             ("tls_key_file", tls_key_file), ("tls_server_name", tls_server_name)):
            if value is not None:
                keep[field] = _text(value, field)
                setattr(options, field, keep[field])
        handle = ctypes.c_void_p()
        err = _Error()
        status = self._lib.sio_emitter_new(
            None if url is None else _text(url, "url"), ctypes.byref(options), ctypes.byref(handle), ctypes.byref(err)
        )
        del keep
        _check(status, err)
        self._handle = handle.value

    # -- lifetime --

    def close(self) -> None:
        """Closes the Redis connection. Idempotent; the emitter cannot be used afterwards."""
        handle, self._handle = self._handle, None
        if handle is not None:
            self._lib.sio_emitter_free(handle)

    def __enter__(self) -> "Emitter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __del__(self) -> None:
        if getattr(self, "_handle", None) is not None:
            self.close()

    def _em(self) -> int:
        if self._handle is None:
            raise ValueError("this Emitter is closed")
        return self._handle

    def connect(self) -> None:
        """Connects now, to fail fast (otherwise the first call connects)."""
        err = _Error()
        _check(self._lib.sio_emitter_connect(self._em(), ctypes.byref(err)), err)

    def flush(self, timeout: Optional[float] = None) -> None:
        """Returns once everything published so far is acknowledged by Redis."""
        err = _Error()
        ms = 0 if timeout is None else max(1, round(timeout * 1000))
        _check(self._lib.sio_emitter_flush(self._em(), ms, ctypes.byref(err)), err)

    # -- operations --

    def _call(self, fn, *args) -> Optional[int]:
        receivers = ctypes.c_longlong(0)
        err = _Error()
        _check(fn(*args, ctypes.byref(receivers), ctypes.byref(err)), err)
        return None if receivers.value < 0 else receivers.value

    def _target(self, to, except_, nsp: str, volatile: bool = False, compress: bool = True) -> int:
        target = self._lib.sio_target_new()
        if not target:
            raise MemoryError("sio_target_new")
        try:
            err = _Error()
            _check(self._lib.sio_target_set_nsp(target, _text(nsp, "nsp"), ctypes.byref(err)), err)
            for room in _rooms(to, "room"):
                _check(self._lib.sio_target_to(target, room, ctypes.byref(err)), err)
            for room in _rooms(except_, "room"):
                _check(self._lib.sio_target_except(target, room, ctypes.byref(err)), err)
            if volatile:
                _check(self._lib.sio_target_set_volatile(target, ctypes.byref(err)), err)
            if not compress:
                _check(self._lib.sio_target_set_compress(target, 0, ctypes.byref(err)), err)
        except BaseException:
            self._lib.sio_target_free(target)
            raise
        return target

    def emit(
        self,
        event: str,
        *args: Any,
        to: Iterable[str] = (),
        except_: Iterable[str] = (),
        nsp: str = "/",
        volatile: bool = False,
        compress: bool = True,
    ) -> Optional[int]:
        """Emits `event` with `args` to the sockets in any `to` room (all if none) minus those in any `except_` room.

        Returns the number of Redis subscriptions that received it (one per Socket.IO server of the namespace;
        0 means no server listens on this key and namespace), or None when not known (dry run, streams mode, a
        classic PUBLISH on a Redis Cluster). publish() also returns the stream entry's id.
        """
        return self.publish(event, *args, to=to, except_=except_, nsp=nsp, volatile=volatile,
                            compress=compress).receivers

    def publish(
        self,
        event: str,
        *args: Any,
        to: Iterable[str] = (),
        except_: Iterable[str] = (),
        nsp: str = "/",
        volatile: bool = False,
        compress: bool = True,
    ) -> Published:
        """emit(), returning the whole result: the receivers and, in streams mode, the entry id (the offset clients
        recover from)."""
        buffers = []  # the bytes each sio_arg points to, alive until the call returns
        c_args = (_Arg * max(1, len(args)))()
        for i, a in enumerate(args):
            if isinstance(a, (bytes, bytearray, memoryview)):
                data, kind = bytes(a), _ARG_BINARY
            else:
                data, kind = _json(a), _ARG_JSON
            buf = ctypes.create_string_buffer(data, max(1, len(data)))
            buffers.append(buf)
            c_args[i].kind = kind
            c_args[i].data = ctypes.addressof(buf)
            c_args[i].size = len(data)
        target = self._target(to, except_, nsp, volatile, compress)
        try:
            published = _Published()
            err = _Error()
            _check(self._lib.sio_emit_sync(self._em(), target, _text(event, "event"), c_args, len(args),
                                           ctypes.byref(published), ctypes.byref(err)), err)
            return Published(None if published.receivers < 0 else published.receivers, published.offset.decode())
        finally:
            self._lib.sio_target_free(target)

    def _membership(self, fn, rooms, to, except_, nsp) -> Optional[int]:
        names = _rooms(rooms, "room")
        c_rooms = (ctypes.c_char_p * max(1, len(names)))(*names)
        target = self._target(to, except_, nsp)
        try:
            return self._call(fn, self._em(), target, c_rooms, len(names))
        finally:
            self._lib.sio_target_free(target)

    def sockets_join(self, rooms: Iterable[str], *, to=(), except_=(), nsp: str = "/") -> Optional[int]:
        """Makes the targeted sockets join `rooms` (socketsJoin)."""
        return self._membership(self._lib.sio_sockets_join, rooms, to, except_, nsp)

    def sockets_leave(self, rooms: Iterable[str], *, to=(), except_=(), nsp: str = "/") -> Optional[int]:
        """Makes the targeted sockets leave `rooms` (socketsLeave)."""
        return self._membership(self._lib.sio_sockets_leave, rooms, to, except_, nsp)

    def disconnect_sockets(self, close: bool = False, *, to=(), except_=(), nsp: str = "/") -> Optional[int]:
        """Disconnects the targeted sockets; close=True also closes their connections (disconnectSockets)."""
        target = self._target(to, except_, nsp)
        try:
            return self._call(self._lib.sio_disconnect_sockets, self._em(), target, 1 if close else 0)
        finally:
            self._lib.sio_target_free(target)

    sockets_disconnect = disconnect_sockets  # the same, spelled like sockets_join / sockets_leave

    def server_side_emit(self, event: str, *args: Any, nsp: str = "/") -> Optional[int]:
        """Emits to the servers' own listeners of namespace `nsp` (serverSideEmit). JSON arguments only."""
        for a in args:
            if isinstance(a, (bytes, bytearray, memoryview)):
                raise TypeError("server_side_emit takes JSON values only, not bytes")
        return self._call(
            self._lib.sio_server_side_emit_json, self._em(), _text(nsp, "nsp"), _text(event, "event"), _json(list(args))
        )
