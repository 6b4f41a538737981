"""Delivery through real Node Socket.IO servers (tests/interop/server.mjs: A and B on one Redis) to real
socket.io-client users (42 and 42@/admin on A, 7 on B), with each adapter: classic (createAdapter), sharded
(createShardedAdapter, subscriptionMode static) and streams (@socket.io/redis-streams-adapter)."""

from __future__ import annotations

import datetime

import pytest

import sio
from conftest import Fleet, Resp, bin_arg, quiet

MODES = ["classic", "sharded", "streams"]


@pytest.fixture(scope="module", params=MODES)
def fleet(request, redis):
    f = Fleet(redis.url, request.param)
    f.mode = request.param
    yield f
    f.stop()


@pytest.fixture
def io(fleet, redis):
    with sio.Emitter(redis.url, mode=fleet.mode, subscription_mode="static") as emitter:
        yield emitter


def test_to_a_user_reaches_that_user_only(fleet, io):
    payload = {"type": "ORDER_UPDATED", "payload": {"orderId": 7, "items": [1, 2.5, None, True], "note": "café ☕ 😀"}}
    io.to("user:42").emit("order", payload, "second", 3)
    io.flush()
    got = fleet.wait_received("42", "order")
    assert got[0]["args"] == [payload, "second", 3]
    quiet()
    assert fleet.received("7", "order") == [] and fleet.received("42@/admin", "order") == []


def test_bytes_arrive_as_a_buffer(fleet, io):
    data = bytes(range(256)) * 3
    io.to("user:7").emit("file", {"name": "a.bin"}, data, bytearray(b"\x00\x01"), memoryview(b"xyz"))
    io.flush()
    got = fleet.wait_received("7", "file")
    assert got[0]["args"] == [{"name": "a.bin"}, bin_arg(data), bin_arg(b"\x00\x01"), bin_arg(b"xyz")]


def test_bytes_and_datetimes_inside_values(fleet, io):
    at = datetime.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=datetime.timezone.utc)
    io.to("user:42").emit("nested", {"file": {"name": "a", "data": b"\x01\x02"}, "at": at, "list": [b"", 1.0]})
    io.flush()
    got = fleet.wait_received("42", "nested")
    # A Date reaches a socket.io-client (JSON parser) as its ISO string, in milliseconds; 1.0 is JavaScript's 1.
    assert got[0]["args"] == [{"file": {"name": "a", "data": bin_arg(b"\x01\x02")}, "at": "2023-11-14T22:13:20.123Z",
                               "list": [bin_arg(b""), 1]}]


def test_namespace_except_and_broadcast(fleet, io):
    io.of("/admin").to("user:42").emit("admin-only", 1)
    io.except_("user:7").emit("not-seven", 2)
    io.emit_sync("everyone", 3)
    for spec in ("42", "7"):
        assert fleet.wait_received(spec, "everyone")[0]["args"] == [3]
    assert fleet.wait_received("42@/admin", "admin-only")[0]["args"] == [1]
    assert fleet.wait_received("42", "not-seven")[0]["args"] == [2]
    quiet()
    assert fleet.received("7", "not-seven") == [] and fleet.received("42", "admin-only") == []


def test_emit_sync_reports_receivers_or_the_stream_offset(fleet, io, redis):
    published = io.to("user:42").emit_sync("sync", 1)
    if fleet.mode == "streams":
        assert published.receivers is None
        admin = Resp(redis.port, 5)
        admin.send("XREVRANGE", "socket.io", "+", "-", "COUNT", "1")
        [[last_id, _]] = admin.read()
        admin.close()
        assert published.offset == last_id.decode()  # the id of the entry it added
    else:
        assert published.receivers is not None and published.receivers >= 1 and published.offset == ""
    fleet.wait_received("42", "sync")


def test_sockets_join_then_leave(fleet, io):
    room = f"vip-{fleet.mode}"
    io.to("user:7").sockets_join(room)
    # The join is a message the servers act on; the emit after it, on the same connection, comes after it.
    io.to(room).emit_sync("vip", "in")
    assert fleet.wait_received("7", "vip")[0]["args"] == ["in"]
    io.to("user:7").sockets_leave(room)
    io.to(room).emit_sync("vip", "after-leave")
    io.to("user:7").emit_sync("vip-done")
    fleet.wait_received("7", "vip-done")
    assert [x["args"] for x in fleet.received("7", "vip")] == [["in"]]


def test_server_side_emit_reaches_every_server(fleet, io):
    io.server_side_emit("hello", {"from": "python"}, 2)
    for server, _ in fleet.servers:
        line = server.wait_for(lambda x: x.get("serverSideEmit") == "hello", 10, "serverSideEmit hello")[0]
        assert line["args"] == [{"from": "python"}, 2]
    io.server_side_emit("ping", b"\x00\x01")  # a Buffer on the servers (logged as JSON.stringify shows one)
    for server, _ in fleet.servers:
        line = server.wait_for(lambda x: x.get("serverSideEmit") == "ping", 10, "serverSideEmit ping")[0]
        assert line["args"] == [{"type": "Buffer", "data": [0, 1]}]


def test_confirmation_presence_and_acks(fleet, io):
    delivery = io.to("user:42").timeout(5).emit_confirmed("confirmed", {"n": 1})
    assert (delivery.clients, delivery.replies.servers, delivery.replies.answered, delivery.replies.timed_out) == \
        (1, 2, 2, False)
    fleet.wait_received("42", "confirmed")
    acked = io.to("user:7").emit_with_ack("please-ack", 1, b"\xff")
    assert acked.clients == 1 and acked.acks == ["ack from 7"]
    assert fleet.wait_received("7", "please-ack")[0]["args"] == [1, bin_arg(b"\xff")]
    sockets = io.to("user:42").fetch_sockets()
    assert len(sockets) == 1 and sockets.replies.answered == 2
    assert "user:42" in sockets[0].rooms and sockets[0].handshake["auth"] == {"userId": "42"}
    everyone = io.fetch_sockets()
    assert sorted(s.handshake["auth"]["userId"] for s in everyone) == ["42", "7"]
    assert io.server_count() == 2
    acks = io.server_side_emit_with_ack("hello", "are you there", timeout=5)
    assert sorted(acks.responses) == ["ack from A", "ack from B"] and acks.replies.answered == 2


def test_disconnect_sockets_last(fleet, io):
    io.of("/admin").to("user:42").disconnect_sockets()
    line = fleet.users["42@/admin"].wait_for(lambda x: x.get("nsp") == "/admin" and "disconnect" in x, 10,
                                             "the /admin disconnect")[0]
    assert line["disconnect"] == "io server disconnect"
    io.to("user:42").emit_sync("still-here", 1)  # the / socket of user 42 was not disconnected
    fleet.wait_received("42", "still-here")
