// Reconnect: sio-gateway is killed (SIGKILL, by PID) or stopped (SIGTERM) and started again on the same port;
// socket.io-client users with reconnection enabled come back on their own and receive again.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification } from "./harness.mjs";

const h = new Harness();
let gateway, port, byDefault, byWebsocket, byPolling;

before(async () => {
  await h.start();
  gateway = await h.startGateway();
  port = gateway.port;
  byDefault = await h.connect(port, { userId: "42", reconnection: true, upgraded: true, label: "user 42, default transports" });
  byWebsocket = await h.connect(port, { userId: "42", reconnection: true, transports: ["websocket"], label: "user 42, websocket" });
  byPolling = await h.connect(port, { userId: "42", reconnection: true, transports: ["polling"], label: "user 42, polling" });
});

after(() => h.close());

const all = () => [byDefault, byWebsocket, byPolling];

async function deliveredToAll(type) {
  const m = h.mark();
  await h.notify(["--user", "42", "--type", type]);
  await waitFor(() => all().every((c) => m.received(c).length >= 1), { timeoutMs: 5000, message: `"${type}" on every client` });
  await sleep(QUIET_MS);
  h.only(m, all(), "notification", all());
  for (const c of all()) assertNotification(m.received(c)[0], type, c.label);
}

// Starts the gateway again on the same port (the kernel may keep it briefly: retry for a few seconds).
async function restartOnSamePort() {
  const deadline = Date.now() + 10000;
  for (;;) {
    try {
      gateway = await h.startGateway({ port });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(200);
    }
  }
}

test("before the restart every client receives", async () => {
  await deliveredToAll("BEFORE");
});

test("SIGKILL the gateway: clients see the disconnect, reconnect to the new process on the same port, and receive", async () => {
  const connectsBefore = all().map((c) => c.connects);
  const m = h.mark();
  await gateway.kill();
  await waitFor(() => all().every((c) => m.disconnects(c).length >= 1), { timeoutMs: 10000, message: "every client to notice" });
  // A killed peer: WebSocket clients see the close, a pending polling request sees a reset.
  for (const c of all()) {
    assert.ok(["transport close", "transport error"].includes(m.disconnects(c)[0].reason), `${c.label}: ${JSON.stringify(m.disconnects(c)[0].reason)}`);
  }
  await restartOnSamePort();
  await waitFor(() => all().every((c, i) => c.socket.connected && c.connects > connectsBefore[i]), {
    timeoutMs: 15000,
    message: "every client to reconnect",
  });
  await h.waitReceivers("/", 1);
  await deliveredToAll("AFTER_KILL");
});

test("SIGTERM the gateway: it exits 0, clients get a close (not a timeout), reconnect after the restart and receive", async () => {
  const connectsBefore = all().map((c) => c.connects);
  const m = h.mark();
  const started = Date.now();
  await gateway.stop();
  assert.equal(gateway.child.exitCode, 0, `exit code ${gateway.child.exitCode} (signal ${gateway.child.signalCode}); stderr:\n${gateway.stderr}`);
  await waitFor(() => all().every((c) => m.disconnects(c).length >= 1), { timeoutMs: 10000, message: "every client to notice" });
  assert.ok(Date.now() - started < 5000, "clients noticed the graceful shutdown at once");
  for (const c of all()) {
    assert.ok(["transport close", "transport error"].includes(m.disconnects(c)[0].reason), `${c.label}: ${JSON.stringify(m.disconnects(c)[0].reason)}`);
  }
  await restartOnSamePort();
  await waitFor(() => all().every((c, i) => c.socket.connected && c.connects > connectsBefore[i]), {
    timeoutMs: 15000,
    message: "every client to reconnect",
  });
  await h.waitReceivers("/", 1);
  await deliveredToAll("AFTER_TERM");
});
