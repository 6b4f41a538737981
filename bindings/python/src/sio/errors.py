"""The errors of sio: one exception class per status of the C API (sio/emitter.h), grouped as the C++ API groups
them (sio/error.hpp). Every exception carries the library's `status` and `message`.

    SioError
    ├── DataError            bad input; nothing was published, retrying will not help
    │   ├── InvalidArgumentError, InvalidJSONError, InvalidUTF8Error, ReservedEventError, InvalidURLError
    ├── RedisError           talking to Redis failed; the command may or may not have reached it; a retry may help
    │   ├── RedisConnectionError, AuthError, RedisTimeoutError, ReplyError, ProtocolError, TLSError
    ├── LibraryError         libsio-emitter could not be found, loaded, or is of another MAJOR.MINOR
    └── InternalError        the library's own failure (out of memory, a bug)
RedisConnectionError and RedisTimeoutError are also the builtin ConnectionError and TimeoutError.
"""

from __future__ import annotations

import enum
from typing import Dict, Union


class Status(enum.IntEnum):
    """sio_status of sio/emitter.h (the same numbers as the C++ sio::errc)."""

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
    """A failed sio call: `status` (a Status, or the raw int of a newer library) and the library's `message`."""

    def __init__(self, status: Union[Status, int], message: str):
        try:
            status = Status(status)
        except ValueError:
            pass
        super().__init__(message or f"sio status {int(status)}")
        self.status = status
        self.message = message


class DataError(SioError):
    """Bad input (invalid JSON or UTF-8, empty or reserved event, empty room, bad URL or option): nothing was
    published, and retrying the same call will fail the same way."""


class InvalidArgumentError(DataError, ValueError):
    """An empty event or room, a bad option, or arguments the servers could not decode."""


class InvalidJSONError(DataError, ValueError):
    """JSON text the library could not parse; the message gives line and column."""


class InvalidUTF8Error(DataError, ValueError):
    """A string that is not valid UTF-8 (in Python: one holding a lone surrogate)."""


class ReservedEventError(DataError, ValueError):
    """An event name Socket.IO reserves (connect, disconnect, ...; connection and new_namespace server-side)."""


class InvalidURLError(DataError, ValueError):
    """A Redis URL that does not parse."""


class RedisError(SioError):
    """Talking to Redis failed: the command may or may not have reached it. A retry may help."""


class RedisConnectionError(RedisError, ConnectionError):
    """Redis is unreachable, or the connection broke (or the outage buffer is full)."""


class AuthError(RedisError):
    """Redis refused AUTH, or an ACL denies the command."""


class RedisTimeoutError(RedisError, TimeoutError):
    """Redis did not answer within the timeout."""


class ReplyError(RedisError):
    """Redis answered with another error reply."""


class ProtocolError(RedisError):
    """Redis answered something unexpected."""


class TLSError(RedisError):
    """TLS failed: certificate refused, CA / certificate / key file unreadable, handshake failed."""


class LibraryError(SioError, OSError):
    """libsio-emitter.so could not be found or loaded, or it is of another MAJOR.MINOR than this package."""

    def __init__(self, message: str):
        super().__init__(Status.INTERNAL, message)


class InternalError(SioError):
    """The library's own failure: out of memory (Status.NO_MEMORY) or an internal error."""


_BY_STATUS: Dict[int, type] = {
    Status.INVALID_ARGUMENT: InvalidArgumentError,
    Status.INVALID_JSON: InvalidJSONError,
    Status.INVALID_UTF8: InvalidUTF8Error,
    Status.RESERVED_EVENT: ReservedEventError,
    Status.INVALID_URL: InvalidURLError,
    Status.CONNECTION: RedisConnectionError,
    Status.AUTH: AuthError,
    Status.TIMEOUT: RedisTimeoutError,
    Status.REPLY: ReplyError,
    Status.PROTOCOL: ProtocolError,
    Status.TLS: TLSError,
    Status.NO_MEMORY: InternalError,
    Status.INTERNAL: InternalError,
}


def error_for(status: int, message: str) -> SioError:
    """The exception for a failed C call: its class by status (statuses a newer library adds: by range)."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = DataError if 1 <= status <= 9 else RedisError if 10 <= status <= 19 else SioError
    return cls(status, message)
