// The long-polling transport byte for byte with raw HTTP (PROTOCOL.md §7.2, §7.4, §7.6): handshake, batching,
// held GETs, overlapping and oversized requests, heartbeat, closes, CORS, keep-alive.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  eioPath, http, keepAliveAgent, poll, pollingHandshake, post, sleep, startServer, waitFor,
} from "./lib.mjs";

const OPEN = /^0\{"sid":"([A-Za-z0-9_-]{20})","upgrades":\["websocket"\],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000\}$/;

// How long a GET sent on loopback gets to reach the server and be held before the test acts on it. Generous:
// CI runs tests in parallel on 2 cores, and a GET that is not held yet changes what the server answers.
const HOLD_MS = 250;

// A GET that stays pending; `.settled` tells whether it came back.
function pendingPoll(port, sid, opts) {
  const p = poll(port, sid, { timeoutMs: 10000, ...opts });
  const r = { settled: false, promise: p };
  p.then(() => (r.settled = true), () => (r.settled = true));
  return r;
}

describe("long-polling", () => {
  let server;
  let port;
  before(async () => {
    server = await startServer(["--max-payload", "1000"]);
    port = server.port;
  });
  after(async () => {
    await server?.stop();
  });

  test("handshake: the open packet, text/plain; charset=UTF-8, cache-control: no-store", async () => {
    const res = await http(port, { path: eioPath("transport=polling&t=Pabc123") });
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/plain; charset=UTF-8");
    assert.equal(res.headers["cache-control"], "no-store");
    assert.equal(Number(res.headers["content-length"]), Buffer.byteLength(res.body));
    const m = OPEN.exec(res.body);
    assert.ok(m, `open packet: ${res.body}`);
    assert.equal(res.headers["access-control-allow-origin"], undefined, "no CORS unless configured");
    await server.waitForLine(new RegExp(`^open ${m[1]} polling$`));
  });

  test("the path without its trailing slash is Engine.IO too; a longer name is not", async () => {
    const res = await http(port, { path: "/socket.io?EIO=4&transport=polling" });
    assert.equal(res.status, 200);
    assert.match(res.body, OPEN);
    const other = await http(port, { path: "/socket.iox?EIO=4&transport=polling" });
    assert.equal(other.status, 404);
  });

  test("a POST payload is split on \\x1e; the echoes come back joined in one GET, binary as b<base64>", async () => {
    const { sid } = await pollingHandshake(port);
    const res = await post(port, sid, "4a\x1e4b\x1ebAQID\x1e4\u00e9");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html");
    assert.equal(res.headers["content-length"], "2");
    assert.equal(res.body, "ok");
    const got = await poll(port, sid);
    assert.equal(got.status, 200);
    assert.equal(got.headers["content-type"], "text/plain; charset=UTF-8");
    assert.equal(got.body, "4a\x1e4b\x1ebAQID\x1e4\u00e9");
  });

  test("a GET is held until there is data", async () => {
    const { sid } = await pollingHandshake(port);
    const held = pendingPoll(port, sid);
    await sleep(300);
    assert.equal(held.settled, false, "the GET waits");
    await post(port, sid, "4wake up");
    const res = await held.promise;
    assert.equal(res.body, "4wake up");
  });

  test("keep-alive: handshake, POST and GET on reused connections", async () => {
    const agent = keepAliveAgent();
    try {
      const hs = await http(port, { path: eioPath("transport=polling"), agent });
      const sid = JSON.parse(hs.body.slice(1)).sid;
      for (let i = 0; i < 5; i++) {
        assert.equal((await post(port, sid, `4round ${i}`, { agent })).body, "ok");
        assert.equal((await poll(port, sid, { agent })).body, `4round ${i}`);
      }
    } finally {
      agent.destroy();
    }
  });

  test("overlapping GET: 400, the pending GET gets the close packet, the session is gone", async () => {
    const { sid } = await pollingHandshake(port);
    const first = pendingPoll(port, sid);
    await sleep(HOLD_MS);
    const second = await poll(port, sid);
    assert.equal(second.status, 400);
    assert.equal(second.body, "");
    assert.equal((await first.promise).body, "1");
    assert.equal(await server.closeReason(sid), "transport error");
    const after = await poll(port, sid);
    assert.equal(after.status, 400);
    assert.equal(after.body, '{"code":1,"message":"Session ID unknown"}');
  });

  test("a POST of exactly maxPayload bytes is accepted; one byte more is 413 and closes the session", async () => {
    const { sid } = await pollingHandshake(port);
    const fits = "4" + "x".repeat(999);
    assert.equal((await post(port, sid, fits)).body, "ok");
    assert.equal((await poll(port, sid)).body, fits);
    const res = await post(port, sid, "4" + "y".repeat(1000));
    assert.equal(res.status, 413);
    assert.equal(await server.closeReason(sid), "transport error");
    assert.equal((await poll(port, sid)).status, 400);
  });

  test("a POST sent as application/octet-stream: 400 and the session closed", async () => {
    const { sid } = await pollingHandshake(port);
    const res = await post(port, sid, "4hello", { headers: { "content-type": "application/octet-stream" } });
    assert.equal(res.status, 400);
    assert.equal(await server.closeReason(sid), "transport error");
  });

  test("a concurrent POST: 400 and the session closed", async () => {
    const { sid } = await pollingHandshake(port);
    // The first POST announces 10 bytes and sends 3: its body is still being read.
    const raw = connect(port, "127.0.0.1");
    raw.on("error", () => {});
    await new Promise((resolve) => raw.once("connect", resolve));
    raw.write(`POST ${eioPath(`transport=polling&sid=${sid}`)} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n` +
      "Content-Length: 10\r\n\r\n4ab");
    await sleep(HOLD_MS);
    const second = await post(port, sid, "4second");
    assert.equal(second.status, 400);
    assert.equal(await server.closeReason(sid), "transport error");
    raw.destroy();
  });

  test("a client ping is a protocol error: the session closes with \"transport error\"", async () => {
    const { sid } = await pollingHandshake(port);
    const held = pendingPoll(port, sid);
    await sleep(HOLD_MS);
    assert.equal((await post(port, sid, "2")).body, "ok");
    assert.equal((await held.promise).body, "1");
    assert.equal(await server.closeReason(sid), "transport error");
  });

  test("client close packet: \"transport close\", a held GET gets a noop", async () => {
    const { sid } = await pollingHandshake(port);
    const held = pendingPoll(port, sid);
    await sleep(HOLD_MS);
    assert.equal((await post(port, sid, "1")).body, "ok");
    assert.equal((await held.promise).body, "6");
    assert.equal(await server.closeReason(sid), "transport close");
  });

  test("a malformed packet closes the session with \"parse error\", after the valid ones before it", async () => {
    const { sid } = await pollingHandshake(port);
    const held = pendingPoll(port, sid);
    await sleep(HOLD_MS);
    await post(port, sid, "4first\x1e9bad");
    // The echo of "first" is written to the held GET before the parse error closes the session.
    assert.equal((await held.promise).body, "4first");
    assert.equal(await server.closeReason(sid), "parse error");
  });

  test("the client disconnecting during a held GET closes the session", async () => {
    const { sid } = await pollingHandshake(port);
    const raw = connect(port, "127.0.0.1");
    raw.on("error", () => {});
    await new Promise((resolve) => raw.once("connect", resolve));
    raw.write(`GET ${eioPath(`transport=polling&sid=${sid}`)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await sleep(HOLD_MS);
    raw.destroy();
    assert.equal(await server.closeReason(sid), "transport error");
  });

  test("server close without a pending GET: the next GET gets \"1\", then the sid is unknown", async () => {
    const { sid } = await pollingHandshake(port);
    await post(port, sid, "4close");
    assert.equal(await server.closeReason(sid), "forced close");
    assert.equal((await poll(port, sid)).body, "1");
    const after = await poll(port, sid);
    assert.equal(after.status, 400);
    assert.equal(after.body, '{"code":1,"message":"Session ID unknown"}');
  });

  test("writable() is true while a GET is held", async () => {
    const { sid } = await pollingHandshake(port);
    const held = pendingPoll(port, sid);
    await sleep(HOLD_MS);
    await post(port, sid, "4writable");
    assert.equal((await held.promise).body, "4writable:true");
    await post(port, sid, "4writable");  // no GET pending now
    assert.equal((await poll(port, sid)).body, "4writable:false");
  });

  test("other sessions keep working after a bad one", async () => {
    const good = await pollingHandshake(port);
    const bad = await pollingHandshake(port);
    const held = pendingPoll(port, bad.sid);
    await sleep(HOLD_MS);
    await poll(port, bad.sid);  // overlap: kills `bad`
    await held.promise;
    await post(port, bad.sid, "4" + "z".repeat(2000)).catch(() => {});
    assert.equal(await server.closeReason(bad.sid), "transport error");
    await post(port, good.sid, "4still fine");
    assert.equal((await poll(port, good.sid)).body, "4still fine");
  });
});

describe("heartbeat over polling", () => {
  let server;
  before(async () => {
    server = await startServer(["--ping-interval", "200", "--ping-timeout", "1500"]);
  });
  after(async () => {
    await server?.stop();
  });

  test("the held GET returns \"2\" after pingInterval; answering \"3\" keeps the session", async () => {
    const { sid } = await pollingHandshake(server.port);
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await poll(server.port, sid);
      assert.equal(res.body, "2");
      assert.ok(Date.now() - started >= 100, "the ping waits for the interval");
      assert.equal((await post(server.port, sid, "3")).body, "ok");
    }
    assert.equal(server.closed(sid), false);
  });

  test("no pong within pingTimeout: \"ping timeout\"", async () => {
    const { sid } = await pollingHandshake(server.port);
    assert.equal((await poll(server.port, sid)).body, "2");
    assert.equal(await server.closeReason(sid, 3000), "ping timeout");
  });
});

describe("CORS", () => {
  let server;
  before(async () => {
    server = await startServer(["--cors-origin", "https://app.example", "--cors-credentials"]);
  });
  after(async () => {
    await server?.stop();
  });

  test("an allowed Origin is echoed with credentials on polling answers, errors and preflights", async () => {
    const origin = { origin: "https://app.example" };
    const hs = await http(server.port, { path: eioPath("transport=polling"), headers: origin });
    assert.equal(hs.headers["access-control-allow-origin"], "https://app.example");
    assert.equal(hs.headers["access-control-allow-credentials"], "true");
    const sid = JSON.parse(hs.body.slice(1)).sid;
    const ok = await post(server.port, sid, "4x", { headers: origin });
    assert.equal(ok.headers["access-control-allow-origin"], "https://app.example");
    const error = await http(server.port, { path: eioPath("transport=polling&sid=nope"), headers: origin });
    assert.equal(error.status, 400);
    assert.equal(error.headers["access-control-allow-origin"], "https://app.example");
    const preflight = await http(server.port, {
      method: "OPTIONS",
      path: eioPath("transport=polling"),
      headers: { ...origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers["access-control-allow-origin"], "https://app.example");
    assert.equal(preflight.headers["access-control-allow-headers"], "content-type");
    assert.match(preflight.headers["access-control-allow-methods"], /POST/);
  });

  test("another Origin gets no CORS headers", async () => {
    const hs = await http(server.port, {
      path: eioPath("transport=polling"),
      headers: { origin: "https://evil.example" },
    });
    assert.equal(hs.status, 200);
    assert.equal(hs.headers["access-control-allow-origin"], undefined);
    assert.equal(hs.headers["access-control-allow-credentials"], undefined);
  });
});
