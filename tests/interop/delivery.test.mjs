// End-to-end delivery: the real `notify` binary (SIO_NOTIFY) -> a real redis-server -> TWO real Socket.IO servers
// (server.mjs, separate processes, @socket.io/redis-adapter) -> real socket.io-client clients (default
// transports: polling, then the WebSocket upgrade).
//
// Clients: user 42 on A and on B, user 7 on B, user 8 on A, and user 42 on B's "/admin" namespace.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { INTEROP_DIR, checkInstalled, load } from "./lib/packages.mjs";
import { startRedis, stopChild } from "./lib/redis-server.mjs";
import { run, binaryFromEnv, waitFor } from "./lib/proc.mjs";
import { connectUser } from "./lib/clients.mjs";

const QUIET_MS = 300; // how long "nothing else arrives" is watched after the expected deliveries
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let redis;
let admin; // node-redis client of the test itself (PUBSUB NUMSUB only)
const servers = {}; // name -> { child, port, lines: [] }
const clients = []; // every socket.io-client socket we opened

// ---------- servers ----------

async function startServer(name) {
  const child = spawn(process.execPath, [join(INTEROP_DIR, "server.mjs"), redis.url, name], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SIO_SERVER_EVENTS: "ping,sse,hello" },
  });
  const server = { name, child, port: undefined, lines: [], stderr: "" };
  child.stderr.on("data", (d) => (server.stderr += d));
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      server.lines.push(JSON.parse(line));
    } catch {
      server.lines.push({ raw: line });
    }
  });
  servers[name] = server;
  await waitFor(() => server.lines.some((l) => l.ready) || child.exitCode !== null, {
    timeoutMs: 10000,
    message: `server ${name} to listen`,
  });
  if (child.exitCode !== null) throw new Error(`server ${name} exited ${child.exitCode}:\n${server.stderr}`);
  server.port = server.lines.find((l) => l.ready).port;
  return server;
}

// Both servers' adapters have subscribed (what the emitter's PUBLISH reaches), for every namespace.
async function waitForSubscriptions() {
  const channels = ["socket.io-request#/#", "socket.io-request#/admin#"];
  const deadline = Date.now() + 10000;
  for (;;) {
    const counts = await admin.pubSubNumSub(channels);
    const patterns = await admin.sendCommand(["PUBSUB", "NUMPAT"]);
    // NUMPAT counts distinct patterns (socket.io#/#* and socket.io#/admin#*); each adapter PSUBSCRIBEs before it
    // SUBSCRIBEs on the same connection, so NUMSUB = 2 means both servers' pattern subscriptions are in place too.
    if (channels.every((c) => counts[c] === 2) && patterns >= 2) return;
    if (Date.now() > deadline) throw new Error(`adapters not subscribed: ${JSON.stringify(counts)}, ${patterns} patterns`);
    await sleep(20);
  }
}

// ---------- clients ----------

async function connectClient(server, userId, nsp = "/") {
  const c = await connectUser(servers[server].port, userId, { nsp, label: `user ${userId} on ${server}${nsp}` });
  clients.push(c);
  return c;
}

// A second namespace socket multiplexed on the same Engine.IO connection as `c`.
async function addNamespace(c, nsp, userId) {
  // Manager#socket() connects it (autoConnect); calling connect() again would send a second CONNECT.
  const socket = c.socket.io.socket(nsp, { auth: { userId } });
  const m = { label: `${c.label} + ${nsp} (same connection)`, socket, received: [], disconnects: [] };
  socket.onAny((event, ...args) => m.received.push({ event, args, at: Date.now() }));
  socket.on("disconnect", (reason, description) => m.disconnects.push({ reason, description }));
  clients.push(m);
  await waitFor(() => socket.connected, { message: `${m.label} to connect` });
  return m;
}

// What each client received since this mark.
function mark() {
  const at = new Map(clients.map((c) => [c, { received: c.received.length, disconnects: c.disconnects.length }]));
  return {
    received: (c) => c.received.slice(at.get(c)?.received ?? 0),
    disconnects: (c) => c.disconnects.slice(at.get(c)?.disconnects ?? 0),
  };
}

// ---------- notify ----------

let notifyPath;

async function notify(args, { expectCode = 0, quiet = true } = {}) {
  const env = { ...process.env };
  delete env.REDIS_URL;
  delete env.SIO_KEY;
  const full = [...args, "--redis", redis.url];
  const r = await run(notifyPath, full, { timeoutMs: 10000, env });
  const shown = `notify ${full.map((a) => JSON.stringify(a)).join(" ")}`;
  assert.equal(r.timedOut, false, `${shown}: timed out`);
  assert.equal(r.code, expectCode, `${shown}: exit ${r.code}, expected ${expectCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  if (quiet) {
    assert.equal(r.stdout, "", `${shown}: stdout must be empty`);
    assert.equal(r.stderr, "", `${shown}: stderr must be empty`);
  }
  return r;
}

// ---------- setup ----------

let u42a, u42b, u7, u8, admin42;

before(async () => {
  checkInstalled();
  notifyPath = binaryFromEnv("SIO_NOTIFY", "notify");
  const { createClient } = load("redis");
  redis = await startRedis();
  admin = createClient({ url: redis.url });
  admin.on("error", () => {});
  await admin.connect();
  await Promise.all([startServer("A"), startServer("B")]);
  await waitForSubscriptions();
  u42a = await connectClient("A", "42");
  u42b = await connectClient("B", "42");
  u7 = await connectClient("B", "7");
  u8 = await connectClient("A", "8");
  admin42 = await connectClient("B", "42", "/admin");
});

after(async () => {
  for (const c of clients) c.socket.disconnect();
  await Promise.allSettled(Object.values(servers).map((s) => stopChild(s.child)));
  if (admin) await admin.disconnect().catch(() => {});
  if (redis) await redis.stop();
});

function only(m, expected, event) {
  for (const c of clients) {
    const got = m.received(c).filter((r) => r.event === event);
    const want = expected.includes(c) ? 1 : 0;
    assert.equal(got.length, want, `${c.label}: ${got.length} "${event}" events, expected ${want}: ${JSON.stringify(got)}`);
  }
}

// ---------- tests ----------

test("--user 42 --type: both user-42 clients (servers A and B) get exactly one notification, nobody else", async () => {
  const m = mark();
  const before = Date.now();
  await notify(["--user", "42", "--type", "ORDER_UPDATED", "--payload", '{"orderId":7}']);
  const after = Date.now();
  await waitFor(() => m.received(u42a).length >= 1 && m.received(u42b).length >= 1, {
    timeoutMs: 5000,
    message: "the notification on both user-42 clients",
  });
  await sleep(QUIET_MS);
  only(m, [u42a, u42b], "notification");
  for (const c of [u42a, u42b]) {
    const [n] = m.received(c);
    assert.equal(n.event, "notification");
    assert.equal(n.args.length, 1);
    const { type, payload, timestamp, ...rest } = n.args[0];
    assert.deepEqual(rest, {});
    assert.equal(type, "ORDER_UPDATED");
    assert.deepEqual(payload, { orderId: 7 });
    assert.equal(typeof timestamp, "number");
    assert.ok(Number.isInteger(timestamp) && timestamp >= before - 1000 && timestamp <= after + 1000,
      `timestamp ${timestamp} not within [${before}, ${after}]`);
    assert.deepEqual(Object.keys(n.args[0]), ["type", "payload", "timestamp"]);
  }
  for (const c of [u7, u8, admin42]) assert.deepEqual(m.received(c), [], c.label);
});

test("--room user:7 --room user:8 --except user:8: only user 7", async () => {
  const m = mark();
  await notify(["--room", "user:7", "--room", "user:8", "--except", "user:8", "--type", "ROOMS", "--timestamp", "1700000000000"]);
  await waitFor(() => m.received(u7).length >= 1, { message: "user 7's notification" });
  await sleep(QUIET_MS);
  only(m, [u7], "notification");
  assert.deepEqual(m.received(u7)[0].args, [{ type: "ROOMS", timestamp: 1700000000000 }]);
});

test("--event/--arg: several arguments of every JSON kind arrive as sent", async () => {
  const m = mark();
  await notify(["--user", "8", "--event", "custom", "--arg", '"text é😀"', "--arg", "42", "--arg", "-1.5",
    "--arg", '{"b":1,"2":2,"nested":{"list":[1,null,true]}}', "--arg", "null", "--arg", "[]"]);
  await waitFor(() => m.received(u8).length >= 1, { message: "user 8's event" });
  await sleep(QUIET_MS);
  only(m, [u8], "custom");
  assert.deepEqual(m.received(u8)[0].args, ["text é😀", 42, -1.5, { 2: 2, b: 1, nested: { list: [1, null, true] } }, null, []]);
});

test("--nsp /admin reaches only the client connected to /admin", async () => {
  const m = mark();
  await notify(["--nsp", "/admin", "--user", "42", "--type", "ADMIN_ONLY"]);
  await waitFor(() => m.received(admin42).length >= 1, { message: "the /admin client's notification" });
  await sleep(QUIET_MS);
  only(m, [admin42], "notification");
  assert.equal(m.received(admin42)[0].args[0].type, "ADMIN_ONLY");

  const m2 = mark();
  await notify(["--nsp", "admin", "--all", "--event", "tick"]); // "admin" means "/admin"; --all: every /admin socket
  await waitFor(() => m2.received(admin42).length >= 1, { message: "the /admin client's tick" });
  await sleep(QUIET_MS);
  only(m2, [admin42], "tick");
  assert.deepEqual(m2.received(admin42)[0].args, []);
});

test("join: `notify join extra --user 7`, then an emit to room extra reaches user 7 only", async () => {
  await notify(["join", "extra", "--user", "7"]);
  const m = mark();
  await notify(["--room", "extra", "--event", "in-extra", "--arg", "1"]);
  await waitFor(() => m.received(u7).length >= 1, { message: "user 7 in room extra" });
  await sleep(QUIET_MS);
  only(m, [u7], "in-extra");
  assert.deepEqual(m.received(u7)[0].args, [1]);
});

test("leave: after `notify leave extra --user 7` an emit to room extra reaches nobody", async () => {
  await notify(["leave", "extra", "--user", "7"]);
  const m = mark();
  await notify(["--room", "extra", "--event", "in-extra", "--arg", "2"]);
  // Same Redis connection and order on each server: once the control event has arrived, so would have the first.
  await notify(["--user", "7", "--event", "control"]);
  await waitFor(() => m.received(u7).some((r) => r.event === "control"), { message: "user 7's control event" });
  await sleep(QUIET_MS);
  only(m, [], "in-extra");
  only(m, [u7], "control");
});

test("server-emit: both servers' server-side listeners get the event and its arguments", async () => {
  const at = { A: servers.A.lines.length, B: servers.B.lines.length };
  await notify(["server-emit", "ping", "--arg", '{"a":1}', "--arg", "2"]);
  await notify(["server-emit", "sse", "--nsp", "/admin", "--args", '["x",[true,null]]']);
  const seen = (s) => servers[s].lines.slice(at[s]).filter((l) => l.serverSideEmit);
  await waitFor(() => seen("A").length >= 2 && seen("B").length >= 2, { message: "serverSideEmit on both servers" });
  await sleep(QUIET_MS);
  for (const s of ["A", "B"]) {
    assert.deepEqual(seen(s).map(({ name, ...rest }) => rest), [
      { serverSideEmit: "ping", nsp: "/", args: [{ a: 1 }, 2] },
      { serverSideEmit: "sse", nsp: "/admin", args: ["x", [true, null]] },
    ], `server ${s}`);
  }
  // Server-side events never reach clients.
  for (const c of clients) assert.ok(!c.received.some((r) => r.event === "ping" || r.event === "sse"), c.label);
});

test("disconnect --user 8: user 8 is disconnected with reason \"io server disconnect\", nobody else", async () => {
  // Without --close only the "/" socket goes: user 8's /admin socket on the same connection stays.
  const u8admin = await addNamespace(u8, "/admin", "8");
  const m = mark();
  await notify(["disconnect", "--user", "8"]);
  await waitFor(() => m.disconnects(u8).length >= 1, { message: "user 8's disconnect" });
  await sleep(QUIET_MS);
  assert.equal(m.disconnects(u8)[0].reason, "io server disconnect");
  assert.equal(u8.socket.connected, false);
  assert.equal(u8.socket.io.engine.readyState, "open", "the connection stays open without --close");
  for (const c of [u42a, u42b, u7, admin42, u8admin]) {
    assert.deepEqual(m.disconnects(c), [], c.label);
    assert.equal(c.socket.connected, true, c.label);
  }
});

test("disconnect --close --user 9: the whole connection closes (every namespace on it), nobody else", async () => {
  // User 9: "/" and "/admin" multiplexed on one Engine.IO connection to server B; only "/" is targeted.
  const u9 = await connectClient("B", "9");
  const c9admin = await addNamespace(u9, "/admin", "9");
  const engine = u9.socket.io.engine;
  let engineClose;
  engine.on("close", (reason) => (engineClose = reason));

  const m = mark();
  await notify(["disconnect", "--close", "--user", "9"]);
  await waitFor(() => m.disconnects(u9).length >= 1 && m.disconnects(c9admin).length >= 1, {
    message: "user 9's disconnects",
  });
  await sleep(QUIET_MS);
  // What socket.io 4.8.4 + socket.io-client 4.8.4 give: with close the server sends a DISCONNECT to every
  // namespace socket of the connection (so the reason is "io server disconnect" on both, /admin included though
  // only "/" was targeted) and then closes the Engine.IO connection.
  assert.equal(m.disconnects(u9)[0].reason, "io server disconnect");
  assert.equal(m.disconnects(c9admin)[0].reason, "io server disconnect");
  await waitFor(() => engine.readyState === "closed", { message: "user 9's Engine.IO connection to close" });
  // The DISCONNECTs arrive first, so the client Manager, left without a namespace socket, closes the connection
  // itself ("forced close") just before or while the server closes it.
  assert.ok(engineClose, "Engine.IO close event");
  for (const c of [u42a, u42b, u7, admin42]) {
    assert.deepEqual(m.disconnects(c), [], c.label);
    assert.equal(c.socket.connected, true, c.label);
  }
});

test("--require-receivers on a namespace nobody listens on: exit 7, one error line, nothing on stdout", async () => {
  const r = await notify(["--nsp", "/nobody", "--all", "--event", "x", "--require-receivers"], { expectCode: 7, quiet: false });
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^notify: error: /);
});

test("without --require-receivers, 0 receivers is exit 0 with one warning line", async () => {
  const r = await notify(["--nsp", "/nobody", "--all", "--event", "x"], { quiet: false });
  assert.equal(r.stdout, "");
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^notify: warning: 0 receivers for PUBLISH socket\.io#\/nobody#: /);
});
