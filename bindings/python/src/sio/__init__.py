"""sio: publish Socket.IO events through Redis from Python, byte for byte like @socket.io/redis-emitter, to Node
Socket.IO servers on @socket.io/redis-adapter (classic or sharded) or @socket.io/redis-streams-adapter, and to
sio-gateway. Synchronous (Emitter) and asyncio (AsyncEmitter); a thin layer over libsio-emitter's C API.

    import sio

    with sio.Emitter("redis://127.0.0.1:6379") as io:
        io.to("user:42").emit("notification", {"type": "ORDER_UPDATED", "payload": {"orderId": 7}})
        io.to("user:42").emit("avatar", png_bytes)          # bytes arrive as a Buffer / ArrayBuffer
        print(io.to("user:42").emit_confirmed("notification", {"type": "PING"}).clients)
        io.flush()

libsio-emitter must be installed (the sio .deb or `cmake --install`), or named by $SIO_LIBRARY.
"""

from ._native import __version__, library_path, library_version, load_library
from .aio import AsyncBroadcastOperator, AsyncEmitter
from .emitter import (BroadcastOperator, Delivery, Emitter, Published, RemoteSocket, Replies, Rooms, ServerAcks,
                      Sockets)
from .errors import (AuthError, DataError, InternalError, InvalidArgumentError, InvalidJSONError, InvalidURLError,
                     InvalidUTF8Error, LibraryError, ProtocolError, RedisConnectionError, RedisError,
                     RedisTimeoutError, ReplyError, ReservedEventError, SioError, Status, TLSError)

__all__ = [
    "__version__", "library_path", "library_version", "load_library",
    "Emitter", "BroadcastOperator", "AsyncEmitter", "AsyncBroadcastOperator",
    "Published", "Delivery", "Replies", "RemoteSocket", "Sockets", "ServerAcks", "Rooms",
    "Status", "SioError", "DataError", "InvalidArgumentError", "InvalidJSONError", "InvalidUTF8Error",
    "ReservedEventError", "InvalidURLError", "RedisError", "RedisConnectionError", "AuthError", "RedisTimeoutError",
    "ReplyError", "ProtocolError", "TLSError", "LibraryError", "InternalError",
]
