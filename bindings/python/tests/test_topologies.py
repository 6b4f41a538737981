"""The Redis deployments a user points the package at, each a real server started here: TLS (rediss:// with a CA
made by openssl, the wrong CA, tls_insecure), a 3-master Redis Cluster (redis+cluster://), a Sentinel-managed
master (redis+sentinel://), ACL users, and no Redis at all. Errors are the library's, with its status."""

from __future__ import annotations

import os

import pytest

import sio
from conftest import Resp
from redis_testing import (RedisServer, free_port, make_certificates, redis_command, start_cluster,
                           start_sentinel)


def _subscriber(port: int, pattern: str = "socket.io#*") -> Resp:
    sub = Resp(port, 10)
    sub.send("PSUBSCRIBE", pattern)
    assert sub.read()[0] == b"psubscribe"
    return sub


def test_tls_with_a_ca_the_wrong_ca_and_insecure(tmp_path):
    d = str(tmp_path)
    make_certificates(d)
    tls_port = free_port()
    redis = RedisServer(d, ["--tls-port", str(tls_port), "--tls-cert-file", os.path.join(d, "server.pem"),
                            "--tls-key-file", os.path.join(d, "server.key"), "--tls-ca-cert-file",
                            os.path.join(d, "ca.pem"), "--tls-auth-clients", "no"]).start()
    try:
        sub = _subscriber(redis.port)
        url = f"rediss://127.0.0.1:{tls_port}"
        with sio.Emitter(url, tls_ca_file=os.path.join(d, "ca.pem")) as io:
            assert io.to("user:42").emit_sync("over-tls", 1).receivers == 1
        assert sub.read()[2] == b"socket.io#/#user:42#"
        with sio.Emitter(url, tls_ca_file=os.path.join(d, "other-ca.pem"), timeout=5) as io:
            with pytest.raises(sio.TLSError) as e:
                io.connect()
        assert e.value.status == sio.Status.TLS and "certificate" in e.value.message, e.value.message
        with sio.Emitter(url, tls_ca_file=os.path.join(d, "other-ca.pem"), tls_insecure=True) as io:
            io.emit_sync("insecure", 2)
        assert sub.read()[2] == b"socket.io#/#"
        sub.close()
    finally:
        redis.stop()


def test_redis_cluster(tmp_path):
    nodes = []
    try:
        dirs = [tmp_path / f"n{i}" for i in range(3)]
        for d in dirs:
            d.mkdir()
        start_cluster([str(d) for d in dirs], nodes)
        sub = _subscriber(nodes[2].port)  # a classic PUBLISH reaches the subscribers of every node
        url = "redis+cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in nodes[:2])
        with sio.Emitter(url) as io:
            assert io.to("user:42").emit_sync("on-cluster", 1).receivers is None  # one node's count means nothing
            io.to("user:7").emit("queued-on-cluster", 2)
            io.flush()
        assert [sub.read()[2], sub.read()[2]] == [b"socket.io#/#user:42#", b"socket.io#/#user:7#"]
        with sio.Emitter(url, mode="streams") as io:
            offset = io.emit_sync("to-the-stream", 3).offset
        owner = next(n for n in nodes if redis_command(n.port, "XLEN", "socket.io") == 1)
        assert redis_command(owner.port, "XRANGE", "socket.io", "-", "+")[0][0].decode() == offset
        sub.close()
    finally:
        for n in nodes:
            n.stop()


def test_sentinel(tmp_path):
    (tmp_path / "master").mkdir()
    (tmp_path / "sentinel").mkdir()
    master = RedisServer(str(tmp_path / "master")).start()
    sentinel = None
    try:
        sentinel = start_sentinel(str(tmp_path / "sentinel"), master.port)
        sub = _subscriber(master.port)
        with sio.Emitter(f"redis+sentinel://127.0.0.1:{sentinel.port}/mymaster") as io:
            assert io.to("user:42").emit_sync("via-sentinel", 1).receivers == 1
        assert sub.read()[2] == b"socket.io#/#user:42#"
        with sio.Emitter(f"redis+sentinel://127.0.0.1:{sentinel.port}/nosuchmaster", timeout=3) as io:
            with pytest.raises(sio.RedisConnectionError, match="nosuchmaster"):
                io.connect()
        sub.close()
    finally:
        if sentinel:
            sentinel.stop()
        master.stop()


def test_acl_refusal_and_wrong_password(redis):
    assert redis_command(redis.port, "ACL", "SETUSER", "reader", "on", ">secret", "~*", "&*", "+@all",
                         "-publish") == b"OK"
    with sio.Emitter(f"redis://reader:secret@127.0.0.1:{redis.port}") as io:
        with pytest.raises(sio.AuthError) as e:
            io.to("user:42").emit_sync("refused", 1)
    assert e.value.status == sio.Status.AUTH and "NOPERM" in e.value.message, e.value.message
    with sio.Emitter(redis.url, username="reader", password="wrong") as io:
        with pytest.raises(sio.AuthError) as e:
            io.connect()
    assert "WRONGPASS" in e.value.message or "invalid username-password" in e.value.message, e.value.message


def test_redis_down():
    port = free_port()
    with sio.Emitter(f"redis://127.0.0.1:{port}", timeout=2, max_buffered_messages=-1) as io:
        with pytest.raises(sio.RedisConnectionError) as e:
            io.connect()
        assert e.value.message == f"cannot connect to Redis at redis://127.0.0.1:{port}/0: Connection refused"
        with pytest.raises(sio.RedisConnectionError):
            io.emit("e", 1)  # no buffering: refused at the call
    # With the default outage buffer, a queued emit is kept, and flush() reports that it could not go out.
    with sio.Emitter(f"redis://127.0.0.1:{port}", timeout=1) as io:
        io.emit("kept", 1)
        with pytest.raises(sio.RedisTimeoutError):
            io.flush(timeout=0.5)
