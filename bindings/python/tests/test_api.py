"""The package's API without Socket.IO servers: what it refuses (the library's own messages), immutable operators,
what one publish puts on Redis (a raw subscriber sees the bytes), closing, versions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import pytest

import sio
from conftest import REPO, Resp, python_env


def test_the_package_under_test_is_the_installed_one():
    assert "site-packages" in sio.__file__, sio.__file__


def test_version_is_the_library_s():
    assert sio.__version__ == sio.library_version()
    text = (REPO / "CMakeLists.txt").read_text()
    assert f"project(sio VERSION {sio.__version__} " in text


def test_errors_mirror_the_c_statuses():
    assert issubclass(sio.InvalidUTF8Error, sio.DataError) and issubclass(sio.DataError, sio.SioError)
    assert issubclass(sio.RedisConnectionError, sio.RedisError) and issubclass(sio.RedisConnectionError,
                                                                                ConnectionError)
    assert issubclass(sio.RedisTimeoutError, TimeoutError) and issubclass(sio.LibraryError, OSError)
    assert {s.name: int(s) for s in sio.Status} == {
        "OK": 0, "INVALID_ARGUMENT": 1, "INVALID_JSON": 2, "INVALID_UTF8": 3, "RESERVED_EVENT": 4, "INVALID_URL": 5,
        "CONNECTION": 10, "AUTH": 11, "TIMEOUT": 12, "REPLY": 13, "PROTOCOL": 14, "TLS": 15, "NO_MEMORY": 20,
        "INTERNAL": 21}
    # The C header is the source of these numbers.
    header = (REPO / "bindings" / "c" / "include" / "sio" / "emitter.h").read_text()
    for status in sio.Status:
        name = "SIO_OK" if status.name == "OK" else f"SIO_E_{status.name}"
        assert f"{name} = {int(status)}" in header, name


def test_bad_input_raises_the_library_s_error_and_publishes_nothing(redis):
    sub = Resp(redis.port, 5)
    sub.send("PSUBSCRIBE", "*")
    sub.read()
    with sio.Emitter(redis.url) as io:
        with pytest.raises(sio.ReservedEventError) as e:
            io.to("user:42").emit("connect", 1)
        assert e.value.status == sio.Status.RESERVED_EVENT and "connect" in e.value.message
        with pytest.raises(sio.InvalidArgumentError) as e:
            io.to("").emit("notification", 1)
        assert "room" in str(e.value)
        with pytest.raises(sio.InvalidUTF8Error) as e:
            io.emit("notification", {"text": "lone \ud800 surrogate"})  # reaches the library escaped
        assert e.value.status == sio.Status.INVALID_UTF8
        with pytest.raises(sio.InvalidUTF8Error, match="argument 2"):
            io.emit("notification", 1, "lone \udc00")
        with pytest.raises(sio.InvalidArgumentError, match="argument 1.*NaN"):
            io.emit("notification", float("nan"))
        with pytest.raises(TypeError, match="argument 2: a set is not a JSON value"):
            io.emit("notification", 1, {1, 2})
        with pytest.raises(TypeError, match="argument 1: a set is not a JSON value"):
            io.emit("notification", {"data": b"\x01", "s": {1, 2}})  # the msgpack path names it too
        io.emit_sync("after", 1)  # the only publish: a marker
    sub.sock.settimeout(5)
    message = sub.read()
    assert message[2] == b"socket.io#/#", message
    sub.close()


def test_invalid_url_and_options():
    with pytest.raises(sio.InvalidURLError) as e:
        sio.Emitter("http://127.0.0.1:6379")
    assert "http" in e.value.message
    with pytest.raises(ValueError, match="mode"):
        sio.Emitter("redis://127.0.0.1:1", mode="fanout")
    with pytest.raises(ValueError, match="timeout"):
        sio.Emitter("redis://127.0.0.1:1", timeout=0)


def test_operators_are_immutable_and_chain_like_node(redis):
    with sio.Emitter(redis.url, dry_run=True) as io:
        base = io.to("a")
        narrowed = base.to("b", ["c"]).except_("d").volatile.compress(False)
        assert repr(base) == "BroadcastOperator(nsp='/', to=['a'])"
        assert repr(narrowed) == ("BroadcastOperator(nsp='/', to=['a', 'b', 'c'], except_=['d'], volatile=True, "
                                  "compress=False)")
        assert io.of("admin").nsp == "/admin" and io.of("/admin").to("x").nsp == "/admin"
        assert narrowed.emit_sync("e", 1) == sio.Published(None, "")  # dry run: validated, not published


def test_one_emit_is_the_node_emitter_s_bytes(redis):
    # protocol-vectors.json entry 1: to("user:42").emit("notification", {...}), byte for byte.
    vectors = json.loads((REPO / "tests" / "data" / "protocol-vectors.json").read_text())
    first = vectors[0]
    assert first["call"].startswith('new Emitter(c).to("user:42").emit("notification"')
    sub = Resp(redis.port, 5)
    sub.send("PSUBSCRIBE", "*")
    sub.read()
    with sio.Emitter(redis.url) as io:
        io.to("user:42").emit("notification", {"type": "ORDER_UPDATED", "payload": {"id": 1},
                                               "timestamp": 1700000000000})
        io.flush()
    message = sub.read()
    sub.close()
    assert message[2].decode() == first["channel"]
    assert message[3].hex() == first["payload_hex"]


def test_close_is_idempotent_and_final(redis):
    io = sio.Emitter(redis.url)
    admin = io.of("/admin")
    io.emit_sync("e")
    io.close()
    io.close()
    assert io.closed and admin.closed
    with pytest.raises(RuntimeError, match="closed"):
        admin.emit("e")


def test_close_waits_for_calls_in_other_threads(redis):
    io = sio.Emitter(redis.url)
    errors = []

    def publish():
        try:
            for i in range(2000):
                io.emit("e", i)
        except RuntimeError as e:  # closed under it: refused cleanly, never a crash
            assert "closed" in str(e)
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for t in threads:
        t.start()
    io.close()
    for t in threads:
        t.join()
    assert errors == []


def _python(code: str, **env):
    full = python_env(**env)
    if "SIO_LIBRARY" not in env:
        full.pop("SIO_LIBRARY", None)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, timeout=60)


def test_refuses_a_library_of_another_minor():
    # The real library, with the package pretending to need 0.99: the check and its message.
    r = _python("import sio, sio._native as n\nn.API_MINOR = 99\ntry:\n    sio.Emitter()\n"
                "except sio.LibraryError as e:\n    print(e)\n", SIO_LIBRARY=os.environ["SIO_LIBRARY"])
    assert r.returncode == 0, r.stderr
    assert f"is libsio-emitter {sio.__version__}, but this sio package {sio.__version__} needs 0.99.x" in r.stdout


def test_refuses_an_older_patch():
    r = _python("import sio, sio._native as n\nn.API_PATCH = 99\ntry:\n    sio.Emitter()\n"
                "except sio.LibraryError as e:\n    print(e)\n", SIO_LIBRARY=os.environ["SIO_LIBRARY"])
    assert r.returncode == 0, r.stderr
    assert f"is libsio-emitter {sio.__version__}, older than this sio package" in r.stdout
    assert "install libsio-emitter 0.4.99 or newer" in r.stdout


def test_missing_library_names_the_fix(tmp_path):
    r = _python("import sio\ntry:\n    sio.Emitter()\nexcept sio.LibraryError as e:\n    print(e)\n",
                SIO_LIBRARY=str(tmp_path / "libsio-emitter.so"))
    assert r.returncode == 0, r.stderr
    assert "cannot load libsio-emitter from" in r.stdout and "$SIO_LIBRARY" in r.stdout


@pytest.mark.skipif(not os.environ.get("SIO_BUILD_DIR"), reason="needs SIO_BUILD_DIR (the CMake build to install)")
def test_finds_an_installed_library_by_pkg_config(tmp_path):
    prefix = tmp_path / "prefix"
    subprocess.run(["cmake", "--install", os.environ["SIO_BUILD_DIR"], "--prefix", str(prefix)], check=True,
                   capture_output=True, timeout=120)
    pc = list(prefix.glob("lib*/**/pkgconfig/sio-emitter.pc"))
    assert pc, "no sio-emitter.pc installed"
    r = _python("import sio\nprint(sio.library_path())\nprint(sio.library_version())",
                PKG_CONFIG_PATH=str(pc[0].parent))
    assert r.returncode == 0, r.stderr
    path, version = r.stdout.split()
    assert path.startswith(str(prefix)) and version == sio.__version__


def test_recent_operators_are_reused_and_bounded(redis):
    with sio.Emitter(redis.url, dry_run=True) as io:
        assert io.to("user:42") is io.to("user:42")  # immutable, so shared (with its C target)
        assert io.of("/admin").to("user:42") is not io.to("user:42")
        assert io.of("/admin").to("user:42").nsp == "/admin"
        assert io.to("user:42").volatile is not io.to("user:42")
        for n in range(1100):
            io.to(f"user:{n}").emit_sync("e", n)
        assert len(io._handle.operators) == sio.emitter._Handle.OPERATOR_CACHE
        assert repr(io.to("user:1099")) == "BroadcastOperator(nsp='/', to=['user:1099'])"
