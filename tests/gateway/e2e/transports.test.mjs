// Real socket.io-client 4.8.4 users on sio-gateway over every transport, receiving what `notify` (SIO_NOTIFY) and
// the real Node emitter (@socket.io/redis-emitter 5.1.0) publish, binary included.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification } from "./harness.mjs";

const h = new Harness();
let gateway, upgraded, wsOnly, pollingOnly, other;

before(async () => {
  await h.start();
  gateway = await h.startGateway();
  upgraded = await h.connect(gateway.port, { userId: "42", label: "user 42, default transports" });
  wsOnly = await h.connect(gateway.port, { userId: "42", transports: ["websocket"], label: "user 42, websocket only" });
  pollingOnly = await h.connect(gateway.port, { userId: "42", transports: ["polling"], label: "user 42, polling only" });
  other = await h.connect(gateway.port, { userId: "7", label: "user 7, default transports" });
});

after(() => h.close());

test("default transports: the client starts on polling and ends upgraded to websocket", async () => {
  await waitFor(() => upgraded.socket.io.engine.transport.name === "websocket", {
    timeoutMs: 5000,
    message: "the default client's upgrade to websocket",
  });
  assert.equal(upgraded.socket.connected, true);
  assert.deepEqual(upgraded.transports, ["polling", "websocket"], "the default client's transports");
  assert.deepEqual(wsOnly.transports, ["websocket"]);
  assert.equal(wsOnly.socket.io.engine.transport.name, "websocket");
  // Still polling after the upgrade window: nothing may upgrade a polling-only client.
  await sleep(500);
  assert.equal(pollingOnly.socket.io.engine.transport.name, "polling");
  assert.equal(pollingOnly.socket.connected, true);
  assert.deepEqual(pollingOnly.transports, ["polling"]);
});

test("notify --user 42 --type: each transport's user-42 client gets exactly one notification, user 7 none", async () => {
  const m = h.mark();
  const before = Date.now();
  await h.notify(["--user", "42", "--type", "ORDER_UPDATED", "--payload", '{"orderId":7,"tags":["a","é"]}']);
  await h.waitReceived(m, [upgraded, wsOnly, pollingOnly], 1, "the notification on all three user-42 clients");
  await sleep(QUIET_MS);
  h.only(m, [upgraded, wsOnly, pollingOnly], "notification");
  for (const c of [upgraded, wsOnly, pollingOnly]) {
    const [n] = m.received(c);
    assertNotification(n, "ORDER_UPDATED", c.label);
    assert.deepEqual(Object.keys(n.args[0]), ["type", "payload", "timestamp"], c.label);
    assert.deepEqual(n.args[0].payload, { orderId: 7, tags: ["a", "é"] }, c.label);
    assert.ok(n.args[0].timestamp >= before - 1000 && n.args[0].timestamp <= Date.now() + 1000, c.label);
  }
  assert.deepEqual(m.received(other), []);
});

test("the Node emitter: to(\"user:42\").emit reaches the three user-42 clients with the same arguments", async () => {
  const io = await h.emitter();
  const m = h.mark();
  io.to("user:42").emit("from-node", "text é😀", 42, -1.5, { 2: 2, b: 1, nested: { list: [1, null, true] } }, null, []);
  await h.waitReceived(m, [upgraded, wsOnly, pollingOnly], 1, "the Node emitter's event on all user-42 clients");
  await sleep(QUIET_MS);
  h.only(m, [upgraded, wsOnly, pollingOnly], "from-node");
  for (const c of [upgraded, wsOnly, pollingOnly]) {
    assert.deepEqual(m.received(c)[0].args, ["text é😀", 42, -1.5, { 2: 2, b: 1, nested: { list: [1, null, true] } }, null, []], c.label);
  }
});

// What socket.io-client gives for a binary attachment in Node: a Buffer (or ArrayBuffer in browsers).
function bytes(v, label) {
  assert.ok(Buffer.isBuffer(v) || v instanceof ArrayBuffer, `${label}: ${Object.prototype.toString.call(v)} is not binary: ${JSON.stringify(v)}`);
  return [...new Uint8Array(v instanceof ArrayBuffer ? v : v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength))];
}

test("binary: Buffers (top level, empty, nested in objects and arrays) arrive with the same bytes on every transport", async () => {
  const io = await h.emitter();
  const m = h.mark();
  const big = Buffer.alloc(5000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  io.to("user:42").emit("bin", Buffer.from([0xde, 0xad, 0xbe, 0xef]), { file: { name: "a.bin", data: Buffer.from([0, 1, 255]) }, list: [Buffer.from("hi"), 3] }, Buffer.alloc(0), big);
  await h.waitReceived(m, [upgraded, wsOnly, pollingOnly], 1, "the binary event on all user-42 clients");
  await sleep(QUIET_MS);
  h.only(m, [upgraded, wsOnly, pollingOnly], "bin");
  for (const c of [upgraded, wsOnly, pollingOnly]) {
    const [a, obj, empty, large] = m.received(c)[0].args;
    assert.deepEqual(bytes(a, c.label), [0xde, 0xad, 0xbe, 0xef], c.label);
    assert.equal(obj.file.name, "a.bin", c.label);
    assert.deepEqual(bytes(obj.file.data, c.label), [0, 1, 255], c.label);
    assert.deepEqual(bytes(obj.list[0], c.label), [0x68, 0x69], c.label);
    assert.equal(obj.list[1], 3, c.label);
    assert.deepEqual(bytes(empty, c.label), [], c.label);
    assert.deepEqual(bytes(large, c.label), [...big], c.label);
  }
});

test("several notifications in a row arrive in publish order on every transport", async () => {
  const m = h.mark();
  const io = await h.emitter();
  for (let i = 0; i < 20; i++) io.to("user:42").emit("seq", i);
  await h.waitReceived(m, [upgraded, wsOnly, pollingOnly], 20, "20 events on all user-42 clients");
  await sleep(QUIET_MS);
  for (const c of [upgraded, wsOnly, pollingOnly]) {
    assert.deepEqual(m.received(c).map((r) => r.args[0]), [...Array(20).keys()], c.label);
  }
});
