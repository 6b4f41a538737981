// Abuse: oversized frames and bodies, malformed packets, a slow reader, 1000 connections at once, a handshake
// flood. Through all of it a well-behaved socket.io-client (user 42) on each gateway stays connected and receives
// every notification `notify` sends it, /healthz stays 200, and each gateway's peak RSS (VmHWM) stays bounded.
//
// Gateways: `abused` has a small send queue (--max-send-queue), a small --max-payload and a handshake rate limit;
// `crowded` runs with the default limits; `capped` has --max-connections 500.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect as netConnect } from "node:net";
import { Harness, waitFor, sleep, assertNotification, sanitized, rss, metrics } from "./harness.mjs";
import { http, rawSocketIo, pollingHandshake } from "./raw.mjs";
import { run, binaryFromEnv } from "../../interop/lib/proc.mjs";

const MAX_PAYLOAD = 100000;
const SEND_QUEUE = 256 * 1024;
const HANDSHAKE_RATE = 20;
const HANDSHAKE_BURST = 40;
const MAX_CONNECTIONS = 500;
const CROWD = 1000;
const RSS_BOUND_MB = 200;
const SIO = "/socket.io/";
const STEP_TIMEOUT_MS = 30000; // a stuck step fails instead of hanging the suite

const h = new Harness();
const gw = {};           // abused, crowded, capped
const wellBehaved = {};  // user 42 on each gateway
const rssAtStart = {};
let sent42 = 0;          // notifications sent to user 42 so far (each well-behaved client must get them all)

// One notification to user 42 (the well-behaved clients on every gateway).
async function notify42(type) {
  await h.notify(["--user", "42", "--type", type]);
  sent42++;
}

// The well-behaved clients still hold their first connection, got every notification sent to user 42 in order,
// and every gateway answers /healthz with 200.
async function assertWellBehavedServed(what) {
  h.checkGateways();
  await notify42(`ALIVE_${what}`);
  const clients = Object.values(wellBehaved);
  try {
    await waitFor(() => clients.every((c) => c.received.length >= sent42), { timeoutMs: 10000, message: `${what}: user 42's notifications` });
  } catch (e) {
    h.checkGateways();
    throw new Error(`${e.message}: ${clients.map((c) => `${c.label} ${c.received.length}/${sent42}`).join(", ")}`);
  }
  for (const c of clients) {
    assert.equal(c.received.length, sent42, `${c.label}: extra events`);
    assertNotification(c.received[sent42 - 1], `ALIVE_${what}`, c.label);
    assert.deepEqual(c.disconnects, [], `${c.label} was disconnected`);
    assert.equal(c.connects, 1, `${c.label} reconnected`);
  }
  for (const g of Object.values(gw)) {
    const health = await http(g.port, { path: "/healthz" });
    assert.equal(health.status, 200, `/healthz of :${g.port}: ${health.body}`);
  }
}

// NDJSON for `notify --stdin`: `count` notifications of `bytes` payload bytes to `user`.
function bulkLines(user, type, count, bytes, { volatile = false } = {}) {
  const blob = "x".repeat(bytes);
  const lines = [];
  for (let i = 0; i < count; i++) lines.push(JSON.stringify({ user, type, payload: { i, blob }, ...(volatile ? { volatile: true } : {}) }));
  return lines.join("\n") + "\n";
}

async function notifyBatch(input) {
  const env = { ...process.env };
  for (const k of ["REDIS_URL", "SIO_KEY"]) delete env[k];
  const r = await run(binaryFromEnv("SIO_NOTIFY", "notify"), ["--stdin", "--redis", h.redis.url], { input, env, timeoutMs: 30000 });
  assert.equal(r.code, 0, `notify --stdin: exit ${r.code}\n${r.stderr}`);
}

// A raw WebSocket that only completes the Engine.IO handshake and the Socket.IO CONNECT as `userId`.
const rawUser = (g, userId) => rawSocketIo(g.port, { auth: { userId }, timeoutMs: 10000 });

// Waits until a raw client's connection is closed by the gateway.
const closedByGateway = (r, what) => waitFor(() => r.closed, { timeoutMs: 5000, message: `the gateway to close ${what}` });

before(async () => {
  await h.start();
  gw.abused = await h.startGateway({
    args: ["--max-send-queue", String(SEND_QUEUE), "--max-payload", String(MAX_PAYLOAD),
      "--handshake-rate", String(HANDSHAKE_RATE), "--handshake-burst", String(HANDSHAKE_BURST)],
  });
  gw.crowded = await h.startGateway();
  gw.capped = await h.startGateway({ args: ["--max-connections", String(MAX_CONNECTIONS)] });
  for (const [name, g] of Object.entries(gw)) {
    rssAtStart[name] = rss(g.pid);
    wellBehaved[name] = await h.connect(g.port, { userId: "42", upgraded: true, label: `well-behaved user 42 on ${name}` });
  }
  await assertWellBehavedServed("START");
});

after(() => h.close());

test("oversized WebSocket messages and polling bodies are refused; nobody else notices", { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.abused;
  for (const [what, send] of [
    ["an oversized text message", (ws) => ws.send(`42["big","${"x".repeat(MAX_PAYLOAD)}"]`)],
    ["an oversized binary message", (ws) => ws.send(Buffer.alloc(MAX_PAYLOAD + 1, 7))],
  ]) {
    const r = await rawUser(g, `big-${what.length}`);
    send(r.ws);
    await closedByGateway(r, what);
  }
  // Polling: a body over --max-payload gets 413 (by Content-Length, and chunked without one), the session ends.
  for (const chunked of [false, true]) {
    const { sid } = await pollingHandshake(g.port);
    const body = "4" + "y".repeat(MAX_PAYLOAD + 10);
    const headers = { "content-type": "text/plain;charset=UTF-8", ...(chunked ? { "transfer-encoding": "chunked" } : {}) };
    const res = await http(g.port, { method: "POST", path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, headers, body });
    assert.equal(res.status, 413, `chunked ${chunked}`);
    const after = await http(g.port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}` });
    assert.equal(after.status, 400, "the session is gone");
  }
  // Outside the Engine.IO path bodies are small; headers over 16 KiB are refused too.
  const route = await http(g.port, { method: "POST", path: "/metrics", body: "z".repeat(200 * 1024) }).catch((e) => e);
  assert.ok(route instanceof Error || route.status === 413, `POST /metrics with 200 KiB: ${route.status}`);
  const header = await http(g.port, { path: "/healthz", headers: { "x-big": "h".repeat(32 * 1024) } }).catch((e) => e);
  assert.ok(header instanceof Error || header.status >= 400, `a 32 KiB header: ${header.status}`);
  await assertWellBehavedServed("OVERSIZED");
});

test("malformed Engine.IO and Socket.IO packets close only their own connection", { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.abused;
  const cases = [
    ["garbage text", "hello, gateway"],
    ["an unknown Engine.IO type", "9"],
    ["an empty message", "4"],
    ["a client ping (wrong heartbeat direction)", "2"],
    ["bad JSON", '42["event",{"a":'],
    ["an unknown Socket.IO type", "49[]"],
    ["an event that is not an array", '42{"not":"an array"}'],
    ["a CONNECT again", "40"],
    ["a negative attachment count", '45-["e",{"_placeholder":true,"num":0}]'],
    ["nesting 40000 deep", `42${"[".repeat(40000)}${"]".repeat(40000)}`],
    ["binary garbage without a binary packet", Buffer.from([0xff, 0x00, 0xfe, 0x01, 0x80])],
    ["invalid UTF-8 in a text frame", Buffer.from([0x34, 0x32, 0xc3, 0x28])],
  ];
  for (const [what, data] of cases) {
    const r = await rawUser(g, `malformed`);
    // A Buffer goes as a binary message, except the invalid UTF-8 one: a text frame (ws does not check it).
    r.ws.send(data, { binary: Buffer.isBuffer(data) && !what.startsWith("invalid UTF-8") });
    await closedByGateway(r, what);
  }
  // Over polling: a garbage payload ends the session.
  const { sid } = await pollingHandshake(g.port);
  const post = await http(g.port, {
    method: "POST",
    path: `${SIO}?EIO=4&transport=polling&sid=${sid}`,
    headers: { "content-type": "text/plain;charset=UTF-8" },
    body: "\x00\x01garbage\x1e42[",
  });
  assert.ok([200, 400].includes(post.status), `POST garbage: ${post.status}`);
  const next = await http(g.port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}` });
  assert.equal(next.status, 400, "the session is gone");
  // Not even HTTP: the connection is closed.
  const reply = await rawTcp(g.port, "GARBAGE\x00\x01\r\n\r\n");
  assert.ok(!reply.startsWith("HTTP/1.1 2"), JSON.stringify(reply.slice(0, 80)));
  await assertWellBehavedServed("MALFORMED");
});

test("a slow reader: volatile packets are dropped, then past --max-send-queue it is disconnected", { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.abused;
  const slow = await rawUser(g, "slow");
  slow.ws.pause(); // never reads again: the kernel buffers fill, then the gateway's queue
  const before = await metrics(g);
  // Publishes 3.2 MB batches to user "slow" until `done` (socket buffers differ between machines), at most 32 MB:
  // the batches stay small enough for Redis' pubsub output buffer limits.
  const flood = async (type, { volatile }, done, what) => {
    let batches = 0;
    let m;
    do {
      await notifyBatch(bulkLines("slow", type, 100, 32 * 1024, { volatile }));
      batches++;
      await sleep(100);
      m = await metrics(g);
    } while (!done(m) && batches < 10);
    await waitForAsync(async () => done((m = await metrics(g))), what);
    return { m, batches };
  };

  // Volatile: never queued behind a write, so the connection stays; they are dropped and counted.
  const v = await flood("BULK_VOLATILE", { volatile: true },
    (m) => m.sio_gateway_volatile_dropped_total > before.sio_gateway_volatile_dropped_total, "volatile packets to be dropped");
  await sleep(300);
  const afterVolatile = await metrics(g);
  assert.equal(afterVolatile.sio_gateway_slow_consumers_closed_total, before.sio_gateway_slow_consumers_closed_total,
    "volatile packets alone never disconnect a slow reader");
  await assertWellBehavedServed("AFTER_VOLATILE");

  // Not volatile: they queue until the bound, then the connection is closed and counted.
  const n = await flood("BULK", { volatile: false },
    (m) => m.sio_gateway_slow_consumers_closed_total === before.sio_gateway_slow_consumers_closed_total + 1,
    "the slow reader to be disconnected past --max-send-queue");
  const log = g.logs.find((l) => l.msg?.startsWith("slow consumer disconnected"));
  assert.ok(log, "an info log line names the slow consumer");
  assert.equal(log.level, "info");
  assert.ok(log.queued_bytes > 0 && log.queued_bytes <= SEND_QUEUE, JSON.stringify(log));
  slow.ws.resume(); // reads what the kernel held, then sees the connection end
  await closedByGateway(slow, "the slow reader");
  const got = slow.frames.filter((f) => f.text?.startsWith('42["notification"')).length;
  console.log(`slow reader: ${v.m.sio_gateway_volatile_dropped_total - before.sio_gateway_volatile_dropped_total} of ` +
    `${v.batches * 100} volatile notifications dropped, then cut off after ${n.batches * 100} non-volatile ones ` +
    `(${got} frames reached it)`);
  await assertWellBehavedServed("AFTER_SLOW");
});

test("a polling client that stops polling is dropped past --max-send-queue", { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.abused;
  const before = await metrics(g);
  const { sid } = await pollingHandshake(g.port);
  const path = `${SIO}?EIO=4&transport=polling&sid=${sid}`;
  const connect = await http(g.port, { method: "POST", path, headers: { "content-type": "text/plain;charset=UTF-8" }, body: '40{"userId":"idle-poller"}' });
  assert.equal(connect.status, 200);
  // It never polls again: what is sent to it waits in the gateway, up to the bound.
  await notifyBatch(bulkLines("idle-poller", "BULK_POLLING", 20, 32 * 1024));
  await waitForAsync(async () => (await metrics(g)).sio_gateway_slow_consumers_closed_total === before.sio_gateway_slow_consumers_closed_total + 1,
    "the idle poller to be dropped");
  const poll = await http(g.port, { path });
  assert.equal(poll.status, 400, "its session is gone");
  await assertWellBehavedServed("AFTER_IDLE_POLLER");
});

test(`${CROWD} connections opened at once: all served with the default limits`, { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.crowded;
  const results = await Promise.allSettled(Array.from({ length: CROWD }, () => rawUser(g, "crowd")));
  const open = results.filter((r) => r.status === "fulfilled").map((r) => r.value);
  try {
    const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
    assert.equal(open.length, CROWD, `${failed.length} failed: ${[...new Set(failed)].slice(0, 5).join("; ")}`);
    await h.notify(["--user", "crowd", "--type", "CROWD"]);
    await waitFor(() => open.every((r) => r.frames.some((f) => f.text?.includes('"CROWD"'))), {
      timeoutMs: 10000,
      message: `all ${CROWD} to receive`,
    });
    const m = await metrics(g);
    assert.equal(m.sio_gateway_connections_refused_total, 0);
    assert.equal(m.sio_gateway_handshakes_rate_limited_total, 0);
    assert.ok(m.sio_gateway_connections >= CROWD + 1, `connections ${m.sio_gateway_connections}`);
    console.log(`${CROWD} connections at once: RSS of the gateway now ${rss(g.pid).currentMb.toFixed(1)} MB`);
  } finally {
    for (const r of open) r.close();
  }
  await assertWellBehavedServed("CROWD");
});

test(`--max-connections ${MAX_CONNECTIONS}: ${CROWD} at once, the extra ones get 503 and the first ones work`, { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.capped;
  const results = await Promise.allSettled(Array.from({ length: CROWD }, () => rawUser(g, "capped")));
  const open = results.filter((r) => r.status === "fulfilled").map((r) => r.value);
  try {
    const refused = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
    // The well-behaved client holds one of the connections.
    assert.equal(open.length, MAX_CONNECTIONS - 1, `opened ${open.length}`);
    assert.ok(refused.every((e) => e.includes("503")), [...new Set(refused)].slice(0, 5).join("; "));
    const m = await metrics(g);
    assert.equal(m.sio_gateway_connections_refused_total, CROWD - (MAX_CONNECTIONS - 1));
    assert.equal(m.sio_gateway_connections, MAX_CONNECTIONS);
    // A refused polling handshake is a 503 with Retry-After too.
    const polling = await http(g.port, { path: `${SIO}?EIO=4&transport=polling` });
    assert.equal(polling.status, 503);
    assert.ok(Number(polling.headers["retry-after"]) >= 1);
    await h.notify(["--user", "capped", "--type", "CAPPED"]);
    await waitFor(() => open.every((r) => r.frames.some((f) => f.text?.includes('"CAPPED"'))), {
      timeoutMs: 10000,
      message: `the ${open.length} admitted to receive`,
    });
  } finally {
    for (const r of open) r.close();
  }
  // Their places free up: a new connection is admitted again.
  await waitForAsync(async () => (await metrics(g)).sio_gateway_connections === 1, "the closed connections to be gone");
  const again = await rawUser(g, "again");
  again.close();
  await assertWellBehavedServed("CAPPED");
});

test(`idle TCP connections past twice --max-connections (+100) are closed at accept`, { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.capped;
  const before = await metrics(g);
  const IDLE = 2 * MAX_CONNECTIONS + 100 + 50;
  const sockets = [];
  let closedEarly = 0;
  // From two addresses (as a gateway with --max-pending-per-address 1000 would need: it is off on this one).
  await Promise.all(Array.from({ length: IDLE }, (_, i) => new Promise((resolve) => {
    const sock = netConnect({ host: "127.0.0.1", port: g.port, localAddress: i % 2 ? "127.0.0.1" : "127.0.0.9" });
    sockets.push(sock);
    sock.on("error", () => {});
    sock.on("close", () => closedEarly++);
    sock.on("connect", resolve);
    sock.on("close", resolve);
  })));
  try {
    await waitFor(() => closedEarly >= 40, { timeoutMs: 5000, message: `the gateway to close the extra connections (${closedEarly})` });
    // At the cap every new TCP connection is closed (/metrics and /healthz too); the open ones are served.
    await notify42("DURING_IDLE_TCP");
    const clients = Object.values(wellBehaved);
    await waitFor(() => clients.every((c) => c.received.length >= sent42), { timeoutMs: 5000, message: "user 42's notification" });
    assert.ok(closedEarly <= 60, `${closedEarly} of ${IDLE} idle connections closed: only those past the cap`);
  } finally {
    for (const sock of sockets) sock.destroy();
  }
  await waitForAsync(async () => {
    const m = await metrics(g).catch(() => undefined);
    return m !== undefined && m.sio_gateway_connections_refused_total >= before.sio_gateway_connections_refused_total + 40;
  }, "the refused TCP connections to be counted");
  await assertWellBehavedServed("IDLE_TCP");
});

test("a handshake flood from one address gets 429 with Retry-After; the gateway keeps serving", { timeout: STEP_TIMEOUT_MS }, async () => {
  const g = gw.abused;
  const before = await metrics(g);
  const FLOOD = 2000;
  const statuses = new Map();
  let retryAfterMissing = 0;
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < FLOOD) {
      const i = next++;
      // Mostly polling handshakes, every tenth a WebSocket upgrade without sid.
      const res = await (i % 10 === 0
        ? upgradeHandshake(g.port)
        : http(g.port, { path: `${SIO}?EIO=4&transport=polling`, timeoutMs: 10000 })
      ).catch((e) => ({ status: `error ${e.message}`, headers: {} }));
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status === 429 && !(Number(res.headers["retry-after"]) >= 1)) retryAfterMissing++;
      if (i % 400 === 0) {
        const health = await http(g.port, { path: "/healthz" });
        assert.equal(health.status, 200, "/healthz during the flood");
      }
    }
  };
  const flood = Promise.all(Array.from({ length: 50 }, worker));
  // The well-behaved client keeps receiving during the flood.
  for (let i = 0; i < 5; i++) {
    await notify42(`DURING_FLOOD_${i}`);
    await sleep(50);
  }
  await flood;
  const seconds = (Date.now() - started) / 1000;
  const summary = JSON.stringify(Object.fromEntries(statuses));
  console.log(`handshake flood: ${FLOOD} in ${seconds.toFixed(1)} s: ${summary}`);
  const admitted = (statuses.get(200) ?? 0) + (statuses.get(101) ?? 0);
  const limited = statuses.get(429) ?? 0;
  assert.ok(limited > 0, `no 429: ${summary}`);
  assert.ok(admitted <= HANDSHAKE_BURST + HANDSHAKE_RATE * (seconds + 1), `${admitted} admitted in ${seconds} s: ${summary}`);
  assert.equal(admitted + limited, FLOOD, `only 200, 101 and 429: ${summary}`);
  assert.equal(retryAfterMissing, 0, "every 429 has Retry-After");
  const m = await metrics(g);
  assert.equal(m.sio_gateway_handshakes_rate_limited_total - before.sio_gateway_handshakes_rate_limited_total, limited);
  await assertWellBehavedServed("AFTER_FLOOD");
});

test(`peak RSS under abuse stays under ${RSS_BOUND_MB} MB`, { timeout: STEP_TIMEOUT_MS }, () => {
  const lines = [];
  for (const [name, g] of Object.entries(gw)) {
    const now = rss(g.pid);
    const bound = sanitized(g.pid) ? RSS_BOUND_MB * 8 : RSS_BOUND_MB;
    lines.push(`${name}: peak ${now.peakMb.toFixed(1)} MB (at start ${rssAtStart[name].peakMb.toFixed(1)} MB, now ` +
      `${now.currentMb.toFixed(1)} MB${bound === RSS_BOUND_MB ? "" : ", a sanitizer build"})`);
    assert.ok(now.peakMb < bound, `${name}: peak RSS ${now.peakMb} MB`);
  }
  console.log(`peak RSS under abuse: ${lines.join("; ")}`);
});

// Resolves when the async predicate is true (polled every 50 ms); rejects after timeoutMs.
async function waitForAsync(predicate, message, { timeoutMs = 15000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) {
      h.checkGateways();
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    }
    await sleep(50);
  }
}

// A WebSocket handshake without sid on a raw TCP connection: resolves { status, headers } from the response head
// and closes the connection.
function upgradeHandshake(port, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: "127.0.0.1", port });
    let got = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no response to the upgrade within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("connect", () => sock.write(`GET ${SIO}?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
    sock.on("data", (d) => {
      got += d.toString("latin1");
      const end = got.indexOf("\r\n\r\n");
      if (end < 0) return;
      clearTimeout(timer);
      sock.destroy();
      const [statusLine, ...fields] = got.slice(0, end).split("\r\n");
      const headers = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(":")).toLowerCase(), f.slice(f.indexOf(":") + 1).trim()]));
      resolve({ status: Number(statusLine.split(" ")[1]), headers });
    });
    sock.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`connection closed before a response: ${JSON.stringify(got)}`));
    });
  });
}

// Writes `bytes` on a new TCP connection and resolves with what comes back before the gateway closes it.
function rawTcp(port, bytes, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const sock = netConnect({ host: "127.0.0.1", port });
    let got = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`the gateway kept a garbage connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on("connect", () => sock.write(bytes));
    sock.on("data", (d) => (got += d.toString("latin1")));
    sock.on("error", () => {});
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}
