"""Finding and loading libsio-emitter, and the ctypes declarations of its C API (sio/emitter.h).

The library is looked for, in order: the `library` argument of Emitter / load_library(), $SIO_LIBRARY (a path),
pkg-config's libdir of sio-emitter ($PKG_CONFIG_PATH is honoured), the install prefixes (/usr/local, /usr, and this
Python's prefix: lib/ and lib/<multiarch>/), then the dynamic linker's search (ctypes.util.find_library). The first
library found is loaded, and refused unless its MAJOR.MINOR is this package's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
from typing import List, Optional, Tuple

from .errors import LibraryError, error_for

# The package's version is the library's: MAJOR.MINOR must match (the C structs and statuses are fixed per MINOR),
# and the PATCH be at least this one's (0.4.2 added the sio_arg forms of the requests and SIO_ARG_MSGPACK).
__version__ = "0.4.2"
API_MAJOR, API_MINOR, API_PATCH = (int(x) for x in __version__.split(".")[:3])

SONAME_GLOB = "libsio-emitter.so"
ERROR_MESSAGE_SIZE = 512
ARG_JSON, ARG_STRING, ARG_BINARY, ARG_MSGPACK = 0, 1, 2, 3


class Error(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("message", ctypes.c_char * ERROR_MESSAGE_SIZE)]


class Options(ctypes.Structure):
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


class Arg(ctypes.Structure):
    # `data` is `const void *` in C; declared char* here so that a bytes object is pointed to, not copied (the
    # structure keeps the object alive). The size is always given, so NUL bytes are data like any other.
    _fields_ = [("kind", ctypes.c_int), ("data", ctypes.c_char_p), ("size", ctypes.c_size_t)]


class PublishedC(ctypes.Structure):
    _fields_ = [("receivers", ctypes.c_longlong), ("offset", ctypes.c_char * 48)]


class RepliesC(ctypes.Structure):
    _fields_ = [("servers", ctypes.c_size_t), ("answered", ctypes.c_size_t), ("timed_out", ctypes.c_int)]


class DeliveryC(ctypes.Structure):
    _fields_ = [("replies", RepliesC), ("clients", ctypes.c_size_t), ("acks", ctypes.c_size_t)]


def _declare(lib: ctypes.CDLL) -> None:
    c_int, c_long, c_char_p, c_void_p, c_size_t = ctypes.c_int, ctypes.c_long, ctypes.c_char_p, ctypes.c_void_p, ctypes.c_size_t
    P = ctypes.POINTER
    err = P(Error)
    ll = P(ctypes.c_longlong)
    out_str = P(c_void_p)  # char **: read as an address, to sio_free it after copying
    signatures = {
        "sio_strerror": (c_char_p, [c_int]),
        "sio_version": (c_char_p, []),
        "sio_version_number": (ctypes.c_uint, []),
        "sio_options_init": (None, [P(Options)]),
        "sio_emitter_new": (c_int, [c_char_p, P(Options), P(c_void_p), err]),
        "sio_emitter_free": (None, [c_void_p]),
        "sio_emitter_connect": (c_int, [c_void_p, err]),
        "sio_emitter_flush": (c_int, [c_void_p, c_long, err]),
        "sio_target_new": (c_void_p, []),
        "sio_target_free": (None, [c_void_p]),
        "sio_target_set_nsp": (c_int, [c_void_p, c_char_p, err]),
        "sio_target_to": (c_int, [c_void_p, c_char_p, err]),
        "sio_target_except": (c_int, [c_void_p, c_char_p, err]),
        "sio_target_set_volatile": (c_int, [c_void_p, err]),
        "sio_target_set_compress": (c_int, [c_void_p, c_int, err]),
        "sio_emit": (c_int, [c_void_p, c_void_p, c_char_p, P(Arg), c_size_t, ll, err]),
        "sio_emit_sync": (c_int, [c_void_p, c_void_p, c_char_p, P(Arg), c_size_t, P(PublishedC), err]),
        "sio_sockets_join": (c_int, [c_void_p, c_void_p, P(c_char_p), c_size_t, ll, err]),
        "sio_sockets_leave": (c_int, [c_void_p, c_void_p, P(c_char_p), c_size_t, ll, err]),
        "sio_disconnect_sockets": (c_int, [c_void_p, c_void_p, c_int, ll, err]),
        "sio_server_side_emit": (c_int, [c_void_p, c_char_p, c_char_p, P(Arg), c_size_t, ll, err]),
        "sio_emit_confirmed": (c_int, [c_void_p, c_void_p, c_char_p, P(Arg), c_size_t, c_long, c_int, P(DeliveryC),
                                       out_str, err]),
        "sio_fetch_sockets_json": (c_int, [c_void_p, c_void_p, c_long, P(RepliesC), out_str, P(c_size_t), err]),
        "sio_server_side_emit_with_ack": (c_int, [c_void_p, c_char_p, c_char_p, P(Arg), c_size_t, c_long,
                                                  P(RepliesC), out_str, err]),
        "sio_server_count": (c_int, [c_void_p, c_char_p, ll, err]),
        "sio_free": (None, [c_void_p]),
    }
    for name, (restype, argtypes) in signatures.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def _multiarch() -> str:
    return sysconfig.get_config_var("MULTIARCH") or ""


def _pkg_config_libdir() -> Optional[str]:
    if shutil.which("pkg-config") is None:
        return None
    try:
        out = subprocess.run(["pkg-config", "--variable=libdir", "sio-emitter"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    libdir = out.stdout.strip()
    return libdir if out.returncode == 0 and libdir else None


def candidates() -> List[Tuple[str, str]]:
    """(where it came from, path) of every place looked at after an explicit path, in order."""
    found: List[Tuple[str, str]] = []
    libdir = _pkg_config_libdir()
    if libdir:
        found.append(("pkg-config sio-emitter", os.path.join(libdir, SONAME_GLOB)))
    arch = _multiarch()
    for prefix in dict.fromkeys(["/usr/local", "/usr", sys.prefix, sys.base_prefix]):
        for sub in (["lib"] + ([os.path.join("lib", arch)] if arch else [])):
            found.append((f"prefix {prefix}", os.path.join(prefix, sub, SONAME_GLOB)))
    return found


def _soname_versions(path: str) -> List[str]:
    """path itself, then its versioned names (libsio-emitter.so.0.4 ...) next to it: only the -dev package has the
    bare .so symlink, the runtime package has the SONAME."""
    directory = os.path.dirname(path)
    names = [path]
    try:
        names += sorted((os.path.join(directory, n) for n in os.listdir(directory)
                         if n.startswith(SONAME_GLOB + ".")), key=len)
    except OSError:
        pass
    return names


_lib: Optional[ctypes.CDLL] = None
_lib_path: Optional[str] = None
_lib_lock = threading.Lock()


def _open(path: str, origin: str) -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise LibraryError(f"cannot load libsio-emitter from {path} ({origin}): {e}") from None
    try:
        version_number = lib.sio_version_number
    except AttributeError:
        raise LibraryError(f"{path} ({origin}) is not libsio-emitter (it has no sio_version_number)") from None
    version_number.restype, version_number.argtypes = ctypes.c_uint, []
    number = version_number()
    major, minor, patch = number // 10000, number // 100 % 100, number % 100
    found = f"{path} ({origin}) is libsio-emitter {major}.{minor}.{patch}"
    if (major, minor) != (API_MAJOR, API_MINOR):
        raise LibraryError(
            f"{found}, but this sio package {__version__} needs {API_MAJOR}.{API_MINOR}.x: install the matching "
            f"library, or the package of version {major}.{minor} (pip install 'sio-emitter=={major}.{minor}.*'), or "
            f"point SIO_LIBRARY at a {API_MAJOR}.{API_MINOR} library")
    if patch < API_PATCH:
        raise LibraryError(f"{found}, older than this sio package {__version__} needs: install libsio-emitter "
                           f"{API_MAJOR}.{API_MINOR}.{API_PATCH} or newer")
    try:
        _declare(lib)
    except AttributeError as e:
        raise LibraryError(f"{found} without the C API this package uses: {e}") from None
    return lib


def load_library(path: Optional[str] = None) -> ctypes.CDLL:
    """Loads libsio-emitter once per process (see the module's documentation for where it looks) and returns it.
    Raises LibraryError when none is found, it cannot be loaded, or it is of another MAJOR.MINOR."""
    global _lib, _lib_path
    with _lib_lock:
        if _lib is not None:
            if path is not None and os.path.realpath(path) != os.path.realpath(_lib_path or ""):
                raise LibraryError(f"libsio-emitter is already loaded from {_lib_path}; one process uses one "
                                   f"library (asked for {path})")
            return _lib
        explicit = [(origin, p) for origin, p in (("library argument", path),
                                                 ("$SIO_LIBRARY", os.environ.get("SIO_LIBRARY") or None)) if p]
        if explicit:
            origin, chosen = explicit[0]
            lib = _open(chosen, origin)
        else:
            looked: List[str] = []
            lib = None
            for origin, candidate in candidates():
                for name in _soname_versions(candidate):
                    looked.append(name)
                    if os.path.exists(name):
                        lib, chosen = _open(name, origin), name
                        break
                if lib is not None:
                    break
            if lib is None:
                name = ctypes.util.find_library("sio-emitter")
                if name is None:
                    raise LibraryError(
                        "libsio-emitter not found: install it (the sio .deb, or `cmake --install build`), or set "
                        "SIO_LIBRARY=/path/to/libsio-emitter.so. Looked in: pkg-config sio-emitter, "
                        + ", ".join(sorted({os.path.dirname(p) for p in looked})) + ", and the dynamic linker's path")
                lib, chosen = _open(name, "the dynamic linker's search"), name
        _lib, _lib_path = lib, chosen
        return lib


def library_path() -> str:
    """The path libsio-emitter was loaded from (loading it if not yet)."""
    load_library()
    assert _lib_path is not None
    return _lib_path


def library_version() -> str:
    """The loaded library's version, "MAJOR.MINOR.PATCH"."""
    return load_library().sio_version().decode()


def check(status: int, err: Error) -> None:
    """Raises the exception of a failed call."""
    if status:
        raise error_for(status, err.message.decode("utf-8", "replace"))


def take_string(lib: ctypes.CDLL, address: Optional[int]) -> Optional[str]:
    """A malloc'd NUL-terminated string the library returned, copied, then released with sio_free."""
    if not address:
        return None
    try:
        return ctypes.string_at(address).decode("utf-8")
    finally:
        lib.sio_free(address)
