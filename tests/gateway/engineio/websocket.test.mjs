// The WebSocket transport and the upgrade with a raw `ws` client, frame by frame (PROTOCOL.md §7.3, §7.5, §7.6).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  eioPath, http, poll, pollingHandshake, post, rawWebSocket, sleep, startServer, waitFor,
} from "./lib.mjs";

const text = (t) => ({ text: t });

describe("WebSocket transport", () => {
  let server;
  let port;
  before(async () => {
    server = await startServer(["--max-payload", "1000", "--upgrade-timeout", "400"]);
    port = server.port;
  });
  after(async () => {
    await server?.stop();
  });

  test("direct WebSocket: the first frame is the open packet with no upgrades; text and binary echo", async () => {
    const r = await rawWebSocket(port, "transport=websocket");
    const open = await r.nextFrame();
    assert.match(open.text, /^0\{"sid":"[A-Za-z0-9_-]{20}","upgrades":\[\],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000\}$/);
    const sid = JSON.parse(open.text.slice(1)).sid;
    await server.waitForLine(new RegExp(`^open ${sid} websocket$`));
    r.ws.send("4héllo");
    assert.deepEqual(await r.nextFrame(), text("4héllo"));
    r.ws.send(Buffer.from([1, 2, 3, 0xff]));
    assert.deepEqual(await r.nextFrame(), { binary: Buffer.from([1, 2, 3, 0xff]) });
    r.ws.send("bAQID");  // a binary message in text form is accepted too, echoed as a binary frame
    assert.deepEqual(await r.nextFrame(), { binary: Buffer.from([1, 2, 3]) });
    r.ws.close();
    assert.equal(await server.closeReason(sid), "transport close");
  });

  test("b64=1: binary goes out as b<base64> text frames", async () => {
    const r = await rawWebSocket(port, "transport=websocket&b64=1");
    await r.nextFrame();
    r.ws.send(Buffer.from([0xde, 0xad]));
    assert.deepEqual(await r.nextFrame(), text("b3q0="));
    r.ws.close();
  });

  test("upgrade: 2probe/3probe, the held GET gets a noop, 5 flushes the buffer over WebSocket", async () => {
    const { sid } = await pollingHandshake(port);
    const held = poll(port, sid, { timeoutMs: 10000 });
    await sleep(250);
    const r = await rawWebSocket(port, `transport=websocket&sid=${sid}`);
    r.ws.send("2probe");
    assert.deepEqual(await r.nextFrame(), text("3probe"));
    assert.equal((await held).body, "6");
    // The client has paused polling; a message it posted now is echoed into the buffer...
    assert.equal((await post(port, sid, "4buffered")).body, "ok");
    await sleep(50);
    assert.equal(r.frames.length, 1, "nothing over the probe before 5");
    r.ws.send("5");
    // ...and leaves over the WebSocket after the upgrade.
    assert.deepEqual(await r.nextFrame(), text("4buffered"));
    r.ws.send("4after");
    assert.deepEqual(await r.nextFrame(), text("4after"));
    r.ws.send("4stats");
    const stats = JSON.parse((await r.nextFrame()).text.slice(1));
    assert.ok(stats.upgrades >= 1);
    // A polling request after the upgrade: TRANSPORT_MISMATCH.
    const late = await poll(port, sid);
    assert.equal(late.status, 400);
    assert.equal(late.headers["content-type"], "application/json");
    assert.equal(late.body, '{"code":3,"message":"Bad request"}');
    const latePost = await post(port, sid, "4x");
    assert.equal(latePost.status, 400);
    assert.equal(latePost.body, '{"code":3,"message":"Bad request"}');
    assert.equal(server.closed(sid), false, "the session lives on over WebSocket");
    r.ws.close();
    assert.equal(await server.closeReason(sid), "transport close");
  });

  test("a probe whose first packet is not 2probe is closed; polling goes on", async () => {
    const { sid } = await pollingHandshake(port);
    const r = await rawWebSocket(port, `transport=websocket&sid=${sid}`);
    r.ws.send("4hello");
    await waitFor(() => r.closed, { message: "the probe to be closed" });
    await post(port, sid, "4still polling");
    assert.equal((await poll(port, sid)).body, "4still polling");
  });

  test("no 5 within upgradeTimeout: the probe is closed, polling goes on", async () => {
    const { sid } = await pollingHandshake(port);
    const r = await rawWebSocket(port, `transport=websocket&sid=${sid}`);
    r.ws.send("2probe");
    assert.deepEqual(await r.nextFrame(), text("3probe"));
    await waitFor(() => r.closed, { timeoutMs: 3000, message: "the probe to time out" });
    await post(port, sid, "4after timeout");
    assert.equal((await poll(port, sid)).body, "4after timeout");
  });

  test("a second probe while one is in progress is refused", async () => {
    const { sid } = await pollingHandshake(port);
    const first = await rawWebSocket(port, `transport=websocket&sid=${sid}`);
    first.ws.send("2probe");
    assert.deepEqual(await first.nextFrame(), text("3probe"));
    const second = await rawWebSocket(port, `transport=websocket&sid=${sid}`);
    await waitFor(() => second.closed, { message: "the second probe to be closed" });
    assert.equal(first.closed, false);
    first.ws.send("5");
    first.ws.send("4one");
    assert.deepEqual(await first.nextFrame(), text("4one"));
    first.ws.close();
  });

  test("a client ping over WebSocket is fatal: \"transport error\"", async () => {
    const r = await rawWebSocket(port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    r.ws.send("2");
    assert.equal(await server.closeReason(sid), "transport error");
    await waitFor(() => r.closed, { message: "the socket to close" });
  });

  test("a message over maxPayload fails the connection; exactly maxPayload passes", async () => {
    const r = await rawWebSocket(port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    const fits = "4" + "a".repeat(999);
    r.ws.send(fits);
    assert.deepEqual(await r.nextFrame(), text(fits));
    r.ws.send("4" + "b".repeat(1000));
    assert.equal(await server.closeReason(sid), "transport error");
    await waitFor(() => r.closed, { message: "the socket to close" });
  });

  test("server close over WebSocket: the \"1\" packet, then the close frame", async () => {
    const r = await rawWebSocket(port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    r.ws.send("4close");
    assert.deepEqual(await r.nextFrame(), text("1"));
    await waitFor(() => r.closed, { message: "the close frame" });
    assert.equal(r.closeCode, 1000);
    assert.equal(await server.closeReason(sid), "forced close");
  });

  test("a malformed text frame: \"parse error\"", async () => {
    const r = await rawWebSocket(port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    r.ws.send("");
    assert.equal(await server.closeReason(sid), "parse error");
  });

  test("other sessions keep working after bad ones", async () => {
    const good = await rawWebSocket(port, "transport=websocket");
    await good.nextFrame();
    const bad = await rawWebSocket(port, "transport=websocket");
    await bad.nextFrame();
    bad.ws.send("2");
    const worse = await rawWebSocket(port, "transport=websocket");
    await worse.nextFrame();
    worse.ws.send("x".repeat(5000));
    await waitFor(() => bad.closed && worse.closed, { message: "the bad sockets to close" });
    good.ws.send("4fine");
    assert.deepEqual(await good.nextFrame(), text("4fine"));
    good.ws.close();
  });
});

describe("heartbeat over WebSocket", () => {
  let server;
  before(async () => {
    server = await startServer(["--ping-interval", "150", "--ping-timeout", "1000"]);
  });
  after(async () => {
    await server?.stop();
  });

  test("pings every pingInterval; answered with 3 the session lives past 3 intervals", async () => {
    const r = await rawWebSocket(server.port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    for (let i = 0; i < 4; i++) {
      assert.deepEqual(await r.nextFrame(), text("2"));
      r.ws.send("3");
    }
    assert.equal(server.closed(sid), false);
    r.ws.close();
  });

  test("no pong: \"ping timeout\" and the socket is closed", async () => {
    const r = await rawWebSocket(server.port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    assert.deepEqual(await r.nextFrame(), text("2"));
    assert.equal(await server.closeReason(sid, 3000), "ping timeout");
    await waitFor(() => r.closed, { message: "the socket to close" });
  });

  test("another packet while a pong is awaited extends the timeout once", async () => {
    const r = await rawWebSocket(server.port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    assert.deepEqual(await r.nextFrame(), text("2"));
    const pinged = Date.now();
    await sleep(150);
    r.ws.send("4busy");  // refreshes the 1000 ms timeout from here
    await server.closeReason(sid, 3000);
    const waited = Date.now() - pinged;
    assert.ok(waited >= 150 + 900, `closed ${waited} ms after the ping: the timeout was refreshed`);
  });
});
