// The engineio layer against the real engine.io-client 6.6 (tests/interop/node_modules): every transport
// combination a Socket.IO client uses, binary both ways, batching, heartbeat, closes from either side.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openClient, poll, pollingHandshake, rawWebSocket, sleep, startServer, waitFor } from "./lib.mjs";

const bytes = (...b) => Buffer.from(b);

describe("engine.io-client against the echo server", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  test("polling only: handshake, text echo, the server sees a polling session", async () => {
    const c = await openClient(server, { transports: ["polling"] });
    assert.equal(c.socket.transport.name, "polling");
    await server.waitForLine(new RegExp(`^open ${c.socket.id} polling$`));
    c.socket.send("héllo wörld");
    assert.equal(await c.nextMessage(), "héllo wörld");
    c.socket.close();
  });

  test("websocket only: the session opens over WebSocket directly", async () => {
    const c = await openClient(server, { transports: ["websocket"] });
    assert.equal(c.socket.transport.name, "websocket");
    await server.waitForLine(new RegExp(`^open ${c.socket.id} websocket$`));
    c.socket.send("over ws");
    assert.equal(await c.nextMessage(), "over ws");
    c.socket.close();
  });

  test("default transports: polling first, then the upgrade; the client ends on websocket, order kept", async () => {
    const c = await openClient(server);
    assert.equal(c.socket.transport.name, "polling");
    c.socket.send("before-upgrade");
    await waitFor(() => c.upgraded, { message: "the upgrade event" });
    assert.equal(c.socket.transport.name, "websocket");
    c.socket.send("after-upgrade");
    assert.equal(await c.nextMessage(), "before-upgrade");
    assert.equal(await c.nextMessage(), "after-upgrade");
    c.socket.send("stats");
    const stats = JSON.parse(await c.nextMessage());
    assert.ok(stats.upgrades >= 1, `upgrades counted: ${JSON.stringify(stats)}`);
    assert.ok(stats.websocket >= 1);
    const sid = c.socket.id;
    c.socket.close();
    assert.equal(await server.closeReason(sid), "transport close");
  });

  for (const transports of [["polling"], ["websocket"]]) {
    test(`binary both ways over ${transports[0]}, interleaved with text`, async () => {
      const c = await openClient(server, { transports });
      const blob = bytes(0xde, 0xad, 0x00, 0xff, 0x1e, 0x34);
      c.socket.send("first");
      c.socket.send(blob);
      c.socket.send(new Uint8Array([]).buffer);
      c.socket.send("last");
      assert.equal(await c.nextMessage(), "first");
      const echoed = await c.nextMessage();
      assert.ok(Buffer.isBuffer(echoed) || echoed instanceof ArrayBuffer, `binary back, got ${typeof echoed}`);
      assert.deepEqual(Buffer.from(echoed), blob);
      assert.deepEqual(Buffer.from(await c.nextMessage()), Buffer.alloc(0));
      assert.equal(await c.nextMessage(), "last");
      c.socket.close();
    });
  }

  test("a batch of messages over polling arrives complete and in order", async () => {
    const c = await openClient(server, { transports: ["polling"] });
    const sent = Array.from({ length: 50 }, (_, i) => `message ${i} ${"x".repeat(i)}`);
    for (const m of sent) c.socket.send(m);  // one tick: engine.io-client joins them into one POST
    const got = [];
    for (let i = 0; i < sent.length; i++) got.push(await c.nextMessage());
    assert.deepEqual(got, sent);
    c.socket.close();
  });

  test("client close: the server closes the session with \"transport close\" (polling and websocket)", async () => {
    for (const transports of [["polling"], ["websocket"]]) {
      const c = await openClient(server, { transports });
      const sid = c.socket.id;
      c.socket.close();
      assert.equal(await server.closeReason(sid), "transport close", transports[0]);
    }
  });

  test("server close: the client is told and the handler gets the reason (polling and websocket)", async () => {
    for (const transports of [["polling"], ["websocket"]]) {
      const c = await openClient(server, { transports });
      const sid = c.socket.id;
      c.socket.send("close");
      await waitFor(() => c.closeReason, { message: `the client to see the close (${transports[0]})` });
      assert.equal(c.closeReason, "transport close");
      assert.equal(await server.closeReason(sid), "forced close");
    }
  });
});

describe("heartbeat with a short ping interval", () => {
  let server;
  before(async () => {
    server = await startServer(["--ping-interval", "150", "--ping-timeout", "1000"]);
  });
  after(async () => {
    await server?.stop();
  });

  for (const transports of [["polling"], ["websocket"], ["polling", "websocket"]]) {
    test(`a live client stays connected past 3 ping intervals (${transports.join("+")})`, async () => {
      const c = await openClient(server, { transports });
      let pings = 0;
      c.socket.on("ping", () => pings++);
      await sleep(150 * 4 + 200);
      assert.ok(pings >= 3, `client saw ${pings} pings`);
      assert.equal(c.closeReason, undefined);
      assert.equal(server.closed(c.socket.id), false);
      c.socket.send("still here");
      assert.equal(await c.nextMessage(), "still here");
      c.socket.close();
    });
  }
});

describe("shutdown", () => {
  test("stdin closed: every client gets the close, the server exits after \"shutdown complete\"", async () => {
    const server = await startServer();
    const a = await openClient(server, { transports: ["websocket"] });
    const b = await openClient(server, { transports: ["polling"] });
    const sa = a.socket.id;
    const sb = b.socket.id;
    // Raw clients see the bytes: a close packet over WebSocket (then the close frame) and over a held GET.
    const raw = await rawWebSocket(server.port, "transport=websocket");
    await raw.nextFrame();
    const { sid: pollingSid } = await pollingHandshake(server.port);
    const held = poll(server.port, pollingSid, { timeoutMs: 10000 });
    await sleep(250);
    const exited = await server.stop();
    assert.deepEqual(await raw.nextFrame(), { text: "1" });
    await waitFor(() => raw.closed, { message: "the close frame" });
    assert.equal(raw.closeCode, 1000);
    assert.equal((await held).body, "1");
    assert.equal(exited.code, 0);
    assert.ok(server.lines.includes("shutdown complete"), server.lines.join("\n"));
    assert.equal(await server.closeReason(sa), "server shutting down");
    assert.equal(await server.closeReason(sb), "server shutting down");
    await waitFor(() => a.closeReason && b.closeReason, { message: "both clients to see the close" });
    assert.equal(a.closeReason, "transport close");
    assert.equal(b.closeReason, "transport close");
  });
});
