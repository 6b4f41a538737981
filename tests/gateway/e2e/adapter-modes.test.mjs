// notify --mode sharded|streams against REAL Node servers on the other adapters (tests/interop/server.mjs with
// SIO_ADAPTER): createShardedAdapter in each of its three subscription modes, and @socket.io/redis-streams-adapter,
// two servers each on one private Redis, real socket.io-client clients. Targeted notifications reach exactly the
// right clients; join, leave, disconnect and server-emit act. A binary argument (a Buffer, which notify cannot
// send: sio-e2e-binary-emitter, path in SIO_BINARY_EMITTER) reaches the targeted clients byte for byte. Then
// connection state recovery on the streams adapter: a client that was away gets the 3 notifications it missed, in
// order.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification } from "./harness.mjs";
import { run, binaryFromEnv } from "../../interop/lib/proc.mjs";

const h = new Harness();

before(async () => {
  await h.start();
});

after(() => h.close());

// The servers are ready for an external publisher: sharded ones SSUBSCRIBEd the namespace's main channel, streams
// ones blocked in XREAD on the stream (an entry added before a server's first XREAD is not read by it).
async function waitServersReady(kind, count) {
  await waitFor(
    async () => {
      if (kind === "sharded") {
        const [, n] = await h.admin.sendCommand(["PUBSUB", "SHARDNUMSUB", "socket.io#/#"]);
        return Number(n) >= count;
      }
      const list = String(await h.admin.sendCommand(["CLIENT", "LIST"]));
      return list.split("\n").filter((l) => / cmd=xread/.test(l)).length >= count;
    },
    { timeoutMs: 10000, message: `${count} ${kind} servers ready` },
  );
}

async function startFleet(name, env) {
  const a = await h.startNodeServer(`${name}-A`, { env, waitSubscribed: false });
  const b = await h.startNodeServer(`${name}-B`, { env, waitSubscribed: false });
  await waitServersReady(env.SIO_ADAPTER, 2);
  const userOnA = await h.connect(a.port, { userId: "42", label: `${name}: user 42 on A` });
  const userOnB = await h.connect(b.port, { userId: "42", label: `${name}: user 42 on B` });
  const other = await h.connect(b.port, { userId: "43", label: `${name}: user 43 on B` });
  // Dynamic subscriptions follow the rooms: wait until both servers subscribe user:42's shard channel.
  if (env.SIO_SUBSCRIPTION_MODE !== "static" && env.SIO_ADAPTER === "sharded") {
    await waitFor(async () => {
      const [, n] = await h.admin.sendCommand(["PUBSUB", "SHARDNUMSUB", "socket.io#/#user:42#"]);
      return Number(n) >= 2;
    }, { timeoutMs: 5000, message: "user:42's shard channel subscribed on both servers" });
  }
  return { a, b, userOnA, userOnB, other, all: [userOnA, userOnB, other] };
}

async function stopFleet(f) {
  for (const c of f.all) c.socket.disconnect();
  await Promise.all([f.a.stop(), f.b.stop()]);
}

const fleets = [
  { name: "sharded dynamic", mode: ["--mode", "sharded"], env: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: "dynamic" } },
  { name: "sharded static", mode: ["--mode", "sharded", "--subscription-mode", "static"], env: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: "static" } },
  { name: "sharded dynamic-private", mode: ["--mode", "sharded", "--subscription-mode", "dynamic-private"], env: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: "dynamic-private" } },
  { name: "streams", mode: ["--mode", "streams"], env: { SIO_ADAPTER: "streams" } },
];

for (const { name, mode, env } of fleets) {
  test(`${name}: notifications reach exactly the targeted users, and join, leave, disconnect and server-emit act`, async () => {
    const f = await startFleet(name.replace(/ /g, "-"), env);
    try {
      // To user 42: both of its sockets, on both servers; not user 43.
      let m = h.mark();
      const sent = await h.notify([...mode, "--user", "42", "--type", "ORDER_UPDATED", "--payload", '{"orderId":7}', "--json"]);
      await h.waitReceived(m, [f.userOnA, f.userOnB], 1, `${name}: user 42's sockets receive`);
      await sleep(QUIET_MS);
      h.only(m, [f.userOnA, f.userOnB], "notification", f.all);
      for (const c of [f.userOnA, f.userOnB]) assertNotification(m.received(c)[0], "ORDER_UPDATED", c.label);
      const published = JSON.parse(sent.stdout);
      if (env.SIO_ADAPTER === "streams") {
        assert.equal(published.command, "XADD");
        assert.match(published.offset, /^\d+-\d+$/, "the entry id is reported");
      } else {
        assert.equal(published.command, "SPUBLISH");
        // A single room goes to its own shard channel unless the servers subscribe only the main one.
        assert.equal(published.channel, env.SIO_SUBSCRIPTION_MODE === "static" ? "socket.io#/#" : "socket.io#/#user:42#");
        assert.equal(published.receivers, 2, "both servers subscribe the channel it went to");
      }

      // To user 43 only.
      m = h.mark();
      await h.notify([...mode, "--user", "43", "--type", "PING"]);
      await h.waitReceived(m, [f.other], 1, `${name}: user 43 receives`);
      await sleep(QUIET_MS);
      h.only(m, [f.other], "notification", f.all);

      // socketsJoin: user 42's sockets join "vip" (on both servers); a notification to vip reaches them only.
      await h.notify([...mode, "join", "vip", "--user", "42"]);
      await sleep(200);  // the servers apply it as they read it
      m = h.mark();
      await h.notify([...mode, "--room", "vip", "--type", "VIP"]);
      await h.waitReceived(m, [f.userOnA, f.userOnB], 1, `${name}: vip receives after join`);
      await sleep(QUIET_MS);
      h.only(m, [f.userOnA, f.userOnB], "notification", f.all);

      // socketsLeave: nobody is left in vip.
      await h.notify([...mode, "leave", "vip", "--user", "42"]);
      await sleep(200);
      m = h.mark();
      await h.notify([...mode, "--room", "vip", "--type", "VIP_AGAIN"]);
      await sleep(QUIET_MS + 200);
      h.only(m, [], "notification", f.all);

      // serverSideEmit: both servers' listeners get it.
      const before = [f.a, f.b].map((s) => s.lines.filter((l) => l.serverSideEmit === "hello").length);
      await h.notify([...mode, "server-emit", "hello", "--arg", '{"from":"notify"}']);
      await waitFor(() => [f.a, f.b].every((s, i) => s.lines.filter((l) => l.serverSideEmit === "hello").length > before[i]),
        { timeoutMs: 5000, message: `${name}: both servers' hello listeners` });
      for (const s of [f.a, f.b]) {
        const got = s.lines.filter((l) => l.serverSideEmit === "hello").at(-1);
        assert.deepEqual(got.args, [{ from: "notify" }], `${s.name}: the server-side event's arguments`);
      }

      // disconnectSockets: user 43 is disconnected by the server; user 42 stays.
      await h.notify([...mode, "disconnect", "--user", "43", "--close"]);
      await waitFor(() => f.other.disconnects.length > 0, { timeoutMs: 5000, message: `${name}: user 43 disconnected` });
      assert.equal(f.other.disconnects[0].reason, "io server disconnect");
      assert.ok(f.userOnA.socket.connected && f.userOnB.socket.connected, `${name}: user 42 is still connected`);
    } finally {
      await stopFleet(f);
    }
  });
}

// Every byte value, then bytes that would look like JSON or msgpack framing if anything decoded them as text.
const FILE_BYTES = Buffer.concat([Buffer.from([...Array(256).keys()]), Buffer.from('{"x":1}\x00\xc4\x84', "latin1")]);

// io.to(room).emit("file", FILE_BYTES, {name}) through the public C++ API in the fleet's mode; resolves with what
// sio::Published reported.
async function emitFile(env, room, name) {
  const args = ["--redis", h.redis.url, "--mode", env.SIO_ADAPTER, "--room", room, "--hex", FILE_BYTES.toString("hex"), "--name", name];
  if (env.SIO_SUBSCRIPTION_MODE) args.push("--subscription-mode", env.SIO_SUBSCRIPTION_MODE);
  const r = await run(binaryFromEnv("SIO_BINARY_EMITTER", "sio-e2e-binary-emitter"), args, { timeoutMs: 10000 });
  assert.equal(r.code, 0, `sio-e2e-binary-emitter exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

for (const { name, env } of fleets) {
  test(`${name}: a binary argument arrives as a Buffer with the exact bytes, with its JSON member, only in the room`, async () => {
    const f = await startFleet(`${name.replace(/ /g, "-")}-binary`, env);
    try {
      const m = h.mark();
      const published = await emitFile(env, "user:42", "a.bin");
      await h.waitReceived(m, [f.userOnA, f.userOnB], 1, `${name}: user 42's sockets receive the file`);
      await sleep(QUIET_MS);
      assert.deepEqual(m.received(f.other), [], `${name}: user 43 (another room) receives nothing`);
      for (const c of [f.userOnA, f.userOnB]) {
        const got = m.received(c);
        assert.equal(got.length, 1, `${c.label}: ${got.length} events`);
        assert.equal(got[0].event, "file", c.label);
        const [file, meta, ...rest] = got[0].args;
        assert.ok(Buffer.isBuffer(file), `${c.label}: the first argument is a Buffer, got ${Object.prototype.toString.call(file)}`);
        assert.equal(file.toString("hex"), FILE_BYTES.toString("hex"), `${c.label}: the bytes`);
        assert.deepEqual(meta, { name: "a.bin" }, `${c.label}: the JSON member`);
        assert.deepEqual(rest, [], `${c.label}: nothing else (no recovery offset without connectionStateRecovery)`);
      }
      if (env.SIO_ADAPTER === "streams") {
        assert.equal(published.command, "XADD");
        assert.match(published.offset, /^\d+-\d+$/);
      } else {
        assert.equal(published.command, "SPUBLISH");
        assert.equal(published.channel, env.SIO_SUBSCRIPTION_MODE === "static" ? "socket.io#/#" : "socket.io#/#user:42#");
        assert.equal(published.receivers, 2, "both servers subscribe the channel it went to");
      }
    } finally {
      await stopFleet(f);
    }
  });
}

test("streams: a client that was away recovers the 3 notifications it missed, in order (connection state recovery)", async () => {
  const env = { SIO_ADAPTER: "streams", SIO_RECOVERY: "1" };
  const a = await h.startNodeServer("recovery-A", { env, waitSubscribed: false });
  await waitServersReady("streams", 1);
  const c = await h.connect(a.port, { userId: "42", reconnection: true, transports: ["websocket"], label: "user 42 (recovering)" });
  try {
    // The offset starts with the first event the client receives (the CSR docs say so).
    let m = h.mark();
    await h.notify(["--mode", "streams", "--user", "42", "--type", "FIRST"]);
    await h.waitReceived(m, [c], 1, "the first notification");
    const firstOffset = m.received(c)[0].args.at(-1);
    assert.match(String(firstOffset), /^\d+-\d+$/, "the streams adapter appends the entry id as the offset");

    // Away: the transport closes (a recoverable disconnect) and stays closed while 3 notifications are sent.
    c.socket.io.reconnection(false);
    c.socket.io.engine.close();
    await waitFor(() => !c.socket.connected, { timeoutMs: 5000, message: "the client is away" });
    const offsets = [];
    for (const type of ["MISSED_1", "MISSED_2", "MISSED_3"]) {
      const r = await h.notify(["--mode", "streams", "--user", "42", "--type", type, "--json"]);
      offsets.push(JSON.parse(r.stdout).offset);
    }
    m = h.mark();
    c.socket.io.reconnection(true);
    c.socket.connect();
    await waitFor(() => c.socket.connected, { timeoutMs: 10000, message: "the client is back" });
    await h.waitReceived(m, [c], 3, "the 3 missed notifications");
    assert.equal(c.socket.recovered, true, "the session was recovered");
    const got = m.received(c).filter((r) => r.event === "notification");
    assert.deepEqual(got.map((r) => r.args[0].type), ["MISSED_1", "MISSED_2", "MISSED_3"]);
    assert.deepEqual(got.map((r) => r.args.at(-1)), offsets, "each carries the entry id notify reported");
  } finally {
    c.socket.disconnect();
    await a.stop();
  }
});
