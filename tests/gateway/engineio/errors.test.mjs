// Every refusal of PROTOCOL.md §7.1 with its exact status and body, and the routing of other paths.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import { eioPath, http, pollingHandshake, rawWebSocket, WebSocket } from "./lib.mjs";
import { startServer } from "./lib.mjs";

const body = (code, message) => JSON.stringify({ code, message });

// An HTTP Upgrade request (WebSocket handshake) that the server refuses; resolves { status, headers, body }.
function refusedUpgrade(port, path) {
  return new Promise((resolve, reject) => {
    const req = request({
      host: "127.0.0.1", port, path, agent: false,
      headers: {
        connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      },
    });
    req.on("response", (res) => {
      const chunks = [];
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on("upgrade", () => reject(new Error(`${path} was upgraded`)));
    req.on("error", reject);
    req.end();
  });
}

describe("§7.1 errors", () => {
  let server;
  let port;
  before(async () => {
    server = await startServer();
    port = server.port;
  });
  after(async () => {
    await server?.stop();
  });

  const cases = [
    ["EIO=3 (v3 not allowed)", "/socket.io/?EIO=3&transport=polling", 5, "Unsupported protocol version"],
    ["no EIO", "/socket.io/?transport=polling", 5, "Unsupported protocol version"],
    ["unknown transport", eioPath("transport=flash"), 0, "Transport unknown"],
    ["no transport", "/socket.io/?EIO=4", 0, "Transport unknown"],
    ["webtransport is not served", eioPath("transport=webtransport"), 0, "Transport unknown"],
    ["unknown sid", eioPath("transport=polling&sid=AAAAAAAAAAAAAAAAAAAA"), 1, "Session ID unknown"],
    ["websocket without Upgrade", eioPath("transport=websocket"), 3, "Bad request"],
  ];
  for (const [name, path, code, message] of cases) {
    test(`${name}: 400 ${body(code, message)}`, async () => {
      const res = await http(port, { path });
      assert.equal(res.status, 400);
      assert.equal(res.headers["content-type"], "application/json");
      assert.equal(res.body, body(code, message));
    });
  }

  test("a handshake by POST: 400 code 2", async () => {
    const res = await http(port, { method: "POST", path: eioPath("transport=polling"), body: "40" });
    assert.equal(res.status, 400);
    assert.equal(res.body, body(2, "Bad handshake method"));
  });

  test("a POST with an unknown sid: 400 code 1", async () => {
    const res = await http(port, { method: "POST", path: eioPath("transport=polling&sid=nope"), body: "4x" });
    assert.equal(res.status, 400);
    assert.equal(res.body, body(1, "Session ID unknown"));
  });

  test("the transport is checked before the sid, the sid before the protocol version", async () => {
    assert.equal((await http(port, { path: "/socket.io/?EIO=3&transport=x&sid=nope" })).body, body(0, "Transport unknown"));
    assert.equal((await http(port, { path: "/socket.io/?EIO=3&transport=polling&sid=nope" })).body,
      body(1, "Session ID unknown"));
    const { sid } = await pollingHandshake(port);
    assert.equal((await http(port, { path: `/socket.io/?EIO=3&transport=polling&sid=${sid}` })).body,
      body(3, "Bad request"));
  });

  test("polling on a session opened over WebSocket: 400 code 3", async () => {
    const r = await rawWebSocket(port, "transport=websocket");
    const sid = JSON.parse((await r.nextFrame()).text.slice(1)).sid;
    const res = await http(port, { path: eioPath(`transport=polling&sid=${sid}`) });
    assert.equal(res.status, 400);
    assert.equal(res.body, body(3, "Bad request"));
    r.ws.close();
  });

  test("a WebSocket upgrade with an unknown sid: 400 text/html \"Session ID unknown\"", async () => {
    const res = await refusedUpgrade(port, eioPath("transport=websocket&sid=nope"));
    assert.equal(res.status, 400);
    assert.equal(res.headers["content-type"], "text/html");
    assert.equal(res.body, "Session ID unknown");
  });

  test("a WebSocket upgrade with EIO=3: 400 \"Unsupported protocol version\"", async () => {
    const res = await refusedUpgrade(port, "/socket.io/?EIO=3&transport=websocket");
    assert.equal(res.status, 400);
    assert.equal(res.body, "Unsupported protocol version");
  });

  test("a WebSocket upgrade with an unknown transport: 400 \"Transport unknown\"", async () => {
    const res = await refusedUpgrade(port, eioPath("transport=carrier-pigeon"));
    assert.equal(res.status, 400);
    assert.equal(res.body, "Transport unknown");
  });

  test("the `ws` client sees the refusal as an unexpected 400", async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${eioPath("transport=websocket&sid=nope")}`);
    const status = await new Promise((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode));
      ws.on("error", () => resolve("error"));
    });
    assert.equal(status, 400);
  });

  test("other paths go to the route handler; unknown ones are 404", async () => {
    const hello = await http(port, { path: "/hello" });
    assert.equal(hello.status, 200);
    assert.equal(hello.body, "hello\n");
    const missing = await http(port, { path: "/nowhere" });
    assert.equal(missing.status, 404);
  });

  test("the server still serves handshakes after all of that", async () => {
    const { open } = await pollingHandshake(port);
    assert.equal(open.upgrades[0], "websocket");
  });
});
