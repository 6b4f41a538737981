// Protocol negatives with raw HTTP and raw WebSocket clients, each checked against what a real Node Socket.IO
// 4.8.4 server (tests/interop/server.mjs) answers to the same request; after each, a well-behaved socket.io-client
// user still connects to the gateway and receives a notification.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, load } from "./harness.mjs";
import { http, pollingHandshake, rawResponseHead } from "./raw.mjs";

const h = new Harness();
let node, gateway;

before(async () => {
  await h.start();
  node = await h.startNodeServer("reference");
  gateway = await h.startGateway();
});

after(() => h.close());

let wellBehavedCount = 0;
// A fresh default client (polling then websocket) connects to the gateway and receives a notification.
async function wellBehaved() {
  h.checkGateways();
  const userId = `ok-${++wellBehavedCount}`;
  const c = await h.connect(gateway.port, { userId, label: `well-behaved ${userId}` });
  const m = h.mark();
  await h.notify(["--user", userId, "--type", "STILL_OK"]);
  await waitFor(() => m.received(c).length >= 1, { message: `${c.label}'s notification` });
  assert.equal(m.received(c)[0].args[0].type, "STILL_OK");
  c.socket.disconnect();
}

// The same raw HTTP request to the Node server and to the gateway: status, Content-Type and body must match.
async function sameHttp(req, { expectStatus, expectBody } = {}) {
  const want = await http(node.port, req);
  const got = await http(gateway.port, req).catch((e) => {
    h.checkGateways();
    throw e;
  });
  const pick = (r) => ({ status: r.status, contentType: r.headers["content-type"], body: r.body });
  if (expectStatus !== undefined) assert.equal(want.status, expectStatus, "the Node reference itself");
  if (expectBody !== undefined) assert.equal(want.body, expectBody, "the Node reference itself");
  assert.deepEqual(pick(got), pick(want), `${req.method ?? "GET"} ${req.path}: gateway (actual) vs Node (expected)`);
  return got;
}

const SIO = "/socket.io/";

test("unknown sid: 400 {\"code\":1,\"message\":\"Session ID unknown\"} for GET and POST", async () => {
  await sameHttp({ path: `${SIO}?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA` }, {
    expectStatus: 400,
    expectBody: '{"code":1,"message":"Session ID unknown"}',
  });
  await sameHttp({
    method: "POST",
    path: `${SIO}?EIO=4&transport=polling&sid=unknown`,
    headers: { "content-type": "text/plain;charset=UTF-8" },
    body: "40",
  }, { expectStatus: 400, expectBody: '{"code":1,"message":"Session ID unknown"}' });
  await wellBehaved();
});

test("wrong or missing EIO version: 400 {\"code\":5,\"message\":\"Unsupported protocol version\"}", async () => {
  for (const q of ["EIO=3&transport=polling", "EIO=5&transport=polling", "transport=polling"]) {
    await sameHttp({ path: `${SIO}?${q}` }, { expectStatus: 400, expectBody: '{"code":5,"message":"Unsupported protocol version"}' });
  }
  await wellBehaved();
});

test("unknown transport: 400 code 0; POST handshake: 400 code 2", async () => {
  await sameHttp({ path: `${SIO}?EIO=4&transport=carrier-pigeon` }, { expectStatus: 400, expectBody: '{"code":0,"message":"Transport unknown"}' });
  await sameHttp({ method: "POST", path: `${SIO}?EIO=4&transport=polling`, headers: { "content-type": "text/plain;charset=UTF-8" }, body: "40" }, {
    expectStatus: 400,
    expectBody: '{"code":2,"message":"Bad handshake method"}',
  });
  await wellBehaved();
});

// Runs `steps(port, sid)` on a fresh polling session of each server; returns both results.
async function onBothPolling(steps) {
  h.checkGateways();
  const out = {};
  for (const [name, port] of [["node", node.port], ["gateway", gateway.port]]) {
    const { sid } = await pollingHandshake(port);
    out[name] = await steps(port, sid);
  }
  return out;
}

test("bad polling packets (garbage, unknown packet type, empty message, binary before CONNECT) close the session like Node", async () => {
  for (const body of ["garbage", "9hello", "4", "40\x1e2probe\x1e", "bAQID"]) {
    const r = await onBothPolling(async (port, sid) => {
      const post = await http(port, { method: "POST", path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, headers: { "content-type": "text/plain;charset=UTF-8" }, body });
      await sleep(50);
      const next = await http(port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, timeoutMs: 3000 }).catch((e) => ({ status: "error", body: e.message }));
      // Noop packets ("6", Node's upgrade flush) are timing, not behaviour: left out.
      const packets = next.body.split("\x1e").filter((p) => p !== "6");
      return { post: post.status, next: next.status, nextPackets: packets.map((p) => p.replace(/"sid":"[^"]+"/, '"sid":"S"')) };
    });
    assert.deepEqual(r.gateway, r.node, `POST ${JSON.stringify(body)}: gateway (actual) vs Node (expected)`);
  }
  await wellBehaved();
});

test("POST with Content-Type application/octet-stream: 400 like Node", async () => {
  const r = await onBothPolling(async (port, sid) => {
    const post = await http(port, { method: "POST", path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, headers: { "content-type": "application/octet-stream" }, body: "40" });
    return { status: post.status, body: post.body };
  });
  assert.equal(r.node.status, 400);
  assert.deepEqual(r.gateway, r.node);
  await wellBehaved();
});

test("oversized polling POST (> maxPayload 1000000): 413 and the session is closed", async () => {
  const big = "4" + "x".repeat(1000001);
  const r = await onBothPolling(async (port, sid) => {
    const post = await http(port, { method: "POST", path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, headers: { "content-type": "text/plain;charset=UTF-8" }, body: big })
      .catch((e) => ({ status: `error ${e.code ?? e.message}` }));
    await sleep(50);
    const next = await http(port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, timeoutMs: 3000 }).catch((e) => ({ status: "error", body: e.message }));
    return { post: post.status, next: next.status, nextBody: next.body };
  });
  assert.equal(r.node.post, 413, JSON.stringify(r.node));
  assert.deepEqual(r.gateway, r.node, "gateway (actual) vs Node (expected)");
  await wellBehaved();
});

test("overlapping polling GETs: the second gets 400 and the session closes", async () => {
  const r = await onBothPolling(async (port, sid) => {
    // Drain the CONNECT-less session's queue first: the first GET must be held.
    const first = http(port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, timeoutMs: 4000 }).catch((e) => ({ status: "error", body: e.message }));
    await sleep(100);
    const second = await http(port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, timeoutMs: 3000 }).catch((e) => ({ status: "error", body: e.message }));
    const firstDone = await first;
    await sleep(50);
    const after = await http(port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}`, timeoutMs: 3000 }).catch((e) => ({ status: "error", body: e.message }));
    return { second: second.status, first: firstDone.status, firstBody: firstDone.body, after: after.status, afterBody: after.body };
  });
  assert.equal(r.node.second, 400, JSON.stringify(r.node));
  assert.deepEqual(r.gateway, r.node, "gateway (actual) vs Node (expected)");
  await wellBehaved();
});

// A raw WebSocket Engine.IO session on `port`: sends `frames` after the open packet, then reports what came back
// and whether the server closed the connection within `waitMs`.
const CONNECT = Symbol("a valid CONNECT, answered");

async function wsSession(port, frames, { waitMs = 1500, afterOpen } = {}) {
  const WebSocket = load("ws");
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { maxPayload: 0 });
  const got = [];
  let closeCode;
  ws.on("message", (d, isBinary) => got.push(isBinary ? `<binary ${d.length}>` : d.toString()));
  ws.on("close", (code) => (closeCode = code));
  ws.on("error", () => {});
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  await waitFor(() => got.length >= 1, { message: "the open packet" });
  if (afterOpen) await afterOpen(ws, got);
  for (const f of frames) {
    if (f !== CONNECT) {
      ws.send(f);
      continue;
    }
    // A valid CONNECT, and its answer awaited, so what follows is judged on a connected socket.
    ws.send('40{"userId":"ws-negative"}');
    await waitFor(() => closeCode !== undefined || got.some((t) => t.startsWith("40") || t.startsWith("44")), { message: "the CONNECT reply" });
  }
  const deadline = Date.now() + waitMs;
  while (closeCode === undefined && Date.now() < deadline) await sleep(20);
  ws.terminate();
  return {
    closed: closeCode !== undefined,
    // Frames after the open packet, with generated ids masked; pings and an Engine.IO close packet before the
    // close are left out (the client sees the same close either way).
    frames: got.slice(1).map((t) => t.replace(/"sid":"[^"]+"/, '"sid":"S"')).filter((t) => t !== "2" && t !== "1"),
  };
}

async function sameWs(frames, what, opts) {
  h.checkGateways();
  const want = await wsSession(node.port, frames, opts);
  const got = await wsSession(gateway.port, frames, opts);
  assert.deepEqual(got, want, `${what}: gateway (actual) vs Node (expected)`);
  return want;
}

test("a client ping (\"2\") over websocket closes that connection, as Node does", async () => {
  const want = await sameWs(["2"], "client ping before CONNECT");
  assert.equal(want.closed, true);
  await sameWs([CONNECT, "2"], "client ping after CONNECT");
  await wellBehaved();
});

test("bad websocket packets close the connection like Node: unknown type, event before CONNECT, bad JSON, ...", async () => {
  for (const [what, frames] of [
    ["unknown Engine.IO type", ["9"]],
    ["an empty text frame", [""]],
    ["an event before CONNECT", ['42["x"]']],
    ["Socket.IO packet type 7", ["47"]],
    ["CONNECT with invalid JSON", ["40{bad"]],
    ["CONNECT with a non-object payload", ['40"text"']],
    ["a binary frame before CONNECT", [Buffer.from([1, 2, 3])]],
    ["too many attachments", [CONNECT, '4511-["x"]']],
    ["an empty Socket.IO packet", [CONNECT, "4"]],
  ]) {
    const r = await sameWs(frames, what);
    assert.equal(r.closed, true, `${what}: the Node reference closes`);
  }
  await wellBehaved();
});

test("a websocket message larger than maxPayload closes the connection", async () => {
  const r = await sameWs([CONNECT, "4" + "x".repeat(1000001)], "oversized websocket message");
  assert.equal(r.closed, true);
  await wellBehaved();
});

test("a polling GET after the upgrade to websocket: 400 {\"code\":3,\"message\":\"Bad request\"}", async () => {
  const r = {};
  for (const [name, port] of [["node", node.port], ["gateway", gateway.port]]) {
    const c = await h.connect(port, { userId: "upgraded", upgraded: true, label: `upgraded on ${name}` });
    const sid = c.socket.io.engine.id;
    const res = await http(port, { path: `${SIO}?EIO=4&transport=polling&sid=${sid}` });
    r[name] = { status: res.status, contentType: res.headers["content-type"], body: res.body };
    c.socket.disconnect();
  }
  assert.deepEqual(r.node, { status: 400, contentType: "application/json", body: '{"code":3,"message":"Bad request"}' });
  assert.deepEqual(r.gateway, r.node);
  await wellBehaved();
});

// Node (ws, engine.io, node:http) names no server software: no response carries a Server header. The response heads
// are read as raw bytes, so an empty "Server:" line would show too. The refused WebSocket handshake is Beast's own
// answer (426 where Node's ws answers 400: status not compared), written like the 101.
test("no response has a Server header: WebSocket 101 and refusal, polling, /healthz, /metrics, demo page, 404, 400", async () => {
  const request = (port, path) => `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
  const upgrade = (port, version = 13) =>
    `GET ${SIO}?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\n` +
    `Upgrade: websocket\r\nSec-WebSocket-Version: ${version}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`;
  const cases = [
    ["WebSocket handshake", (port) => upgrade(port), 101, true],
    ["WebSocket handshake with Sec-WebSocket-Version 12", (port) => upgrade(port, 12), undefined, true],
    ["polling handshake", (port) => request(port, `${SIO}?EIO=4&transport=polling`), 200, true],
    ["/healthz", (port) => request(port, "/healthz"), 200, false],
    ["/metrics", (port) => request(port, "/metrics"), 200, false],
    ["the demo page", (port) => request(port, "/"), 200, false],
    ["an unknown path", (port) => request(port, "/no-such-page"), 404, false],
    ["an unknown sid", (port) => request(port, `${SIO}?EIO=4&transport=polling&sid=AAAAAAAAAAAAAAAAAAAA`), 400, true],
  ];
  for (const [what, req, status, alsoNode] of cases) {
    for (const [name, port] of alsoNode ? [["node", node.port], ["gateway", gateway.port]] : [["gateway", gateway.port]]) {
      h.checkGateways();
      const head = await rawResponseHead(port, req(port));
      const [statusLine, ...fields] = head.split("\r\n");
      if (status !== undefined) assert.match(statusLine, new RegExp(`^HTTP/1\\.1 ${status} `), `${what} on ${name}: ${head}`);
      assert.deepEqual(fields.filter((f) => /^server\s*:/i.test(f)), [], `${what} on ${name} (${statusLine}): no Server header`);
    }
  }
  await wellBehaved();
});

test("the gateway's health endpoint stays ok after all of the above", async () => {
  const res = await http(gateway.port, { path: "/healthz" });
  assert.equal(res.status, 200, res.body);
  const body = JSON.parse(res.body);
  assert.equal(body.status, "ok");
  assert.equal(body.redis, "connected");
  assert.equal(typeof body.sockets, "number");
});
