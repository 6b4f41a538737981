// sio-gateway --mode sharded beside a real Node server on createShardedAdapter (@socket.io/redis-adapter 8.3, one
// Redis), in each subscription mode: the gateway subscribes what a Node server in that mode subscribes (the main
// channel <key>#<nsp>#; in dynamic modes each room's channel while it has sockets there, its sockets' own rooms in
// dynamic-private), applies what arrives (broadcasts from notify and from the Node server, socketsJoin/Leave,
// disconnectSockets) and answers requests on the requester's <key>#<nsp>#<uid># (notify --confirm, sockets,
// server-emit --acks; the Node server's fetchSockets, serverSideEmitWithAck, serverCount), exact and fast.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification } from "./harness.mjs";
import { run, binaryFromEnv } from "../../interop/lib/proc.mjs";

const FAST_MS = 2000;
const TIMEOUT = ["--timeout", "2s"];
const h = new Harness();

before(async () => {
  await h.start();
});

after(() => h.close());

const shardSubscribers = async (channel) => Number((await h.admin.sendCommand(["PUBSUB", "SHARDNUMSUB", channel]))[1]);

for (const mode of ["dynamic", "static", "dynamic-private"]) {
  test(`sharded ${mode}: a Node server and a gateway deliver, join, leave, disconnect and answer requests`, async () => {
    const flags = ["--mode", "sharded", "--subscription-mode", mode];
    const node = await h.startNodeServer(`node-${mode}`, {
      env: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: mode, SIO_SERVER_ACK: "echo" },
      waitSubscribed: false,
    });
    const gateway = await h.startGateway({ args: flags, waitSubscribed: false });
    try {
      await waitFor(async () => (await shardSubscribers("socket.io#/#")) === 2,
        { timeoutMs: 10000, intervalMs: 50, message: `${mode}: both servers SSUBSCRIBE socket.io#/#` });
      const label = (who, where) => `${mode}: user ${who} on ${where}`;
      const n42 = await h.connect(node.port, { userId: "42", label: label(42, "Node") });
      const g42 = await h.connect(gateway.port, { userId: "42", label: label(42, "the gateway"), ackWith: () => "seen" });
      const g7 = await h.connect(gateway.port, { userId: "7", label: label(7, "the gateway") });
      const g9 = await h.connect(gateway.port, { userId: "9", label: label(9, "the gateway") });
      const n5 = await h.connect(node.port, { userId: "5", label: label(5, "Node") });
      const fleet = [n42, g42, g7, g9, n5];
      // Dynamic modes: each server subscribes user:N's channel while it has a socket of N (the gateway too).
      const roomSubscribers = { dynamic: 1, "dynamic-private": 1, static: 0 }[mode];
      for (const [room, servers] of [["user:42", 2], ["user:7", 1]]) {
        await waitFor(async () => (await shardSubscribers(`socket.io#/#${room}#`)) === servers * roomSubscribers,
          { timeoutMs: 5000, intervalMs: 50, message: `${mode}: socket.io#/#${room}# subscribed by ${servers * roomSubscribers}` });
      }
      // Its sockets' own rooms: only in dynamic-private.
      assert.equal(await shardSubscribers(`socket.io#/#${g7.socket.id}#`), mode === "dynamic-private" ? 1 : 0,
        `${mode}: the gateway's subscription of a socket's own room`);
      // /healthz says the mode and how many channels: the main and response channels, plus user:42, :7, :9 in the
      // dynamic modes, plus its 3 sockets' own rooms in dynamic-private.
      const channels = { dynamic: 5, static: 2, "dynamic-private": 8 }[mode];
      let health;
      await waitFor(async () => {
        health = await (await fetch(`${gateway.url}/healthz`)).json();
        return health.channels === channels;
      }, { timeoutMs: 5000, intervalMs: 50, message: `${mode}: /healthz reports ${channels} channels` });
      assert.deepEqual({ mode: health.mode, redis: health.redis }, { mode: "sharded", redis: "connected" }, JSON.stringify(health));

      // notify to user 42: both servers' sockets; to user 7: the gateway's only (its room channel in dynamic modes).
      let m = h.mark();
      await h.notify([...flags, "--user", "42", "--type", "BOTH"]);
      await h.waitReceived(m, [n42, g42], 1, `${mode}: user 42 on both servers`);
      await sleep(QUIET_MS);
      h.only(m, [n42, g42], "notification", fleet);
      assertNotification(m.received(g42)[0], "BOTH", g42.label);
      m = h.mark();
      const to7 = JSON.parse((await h.notify([...flags, "--user", "7", "--type", "SEVEN", "--json"])).stdout);
      assert.equal(to7.channel, mode === "static" ? "socket.io#/#" : "socket.io#/#user:7#", `${mode}: notify's channel`);
      await h.waitReceived(m, [g7], 1, `${mode}: user 7 on the gateway`);
      await sleep(QUIET_MS);
      h.only(m, [g7], "notification", fleet);

      // The Node server's own io.to("user:7").emit reaches the gateway's socket.
      m = h.mark();
      const emitted = await node.control({ cmd: "emit", rooms: ["user:7"], event: "from-node", args: [{ a: 1 }] });
      assert.equal(emitted.error, undefined, emitted.error);
      await h.waitReceived(m, [g7], 1, `${mode}: the Node server's emit to user 7`);
      assert.deepEqual(m.received(g7).find((e) => e.event === "from-node").args, [{ a: 1 }]);

      // socketsJoin / socketsLeave / disconnectSockets from notify act on the gateway's sockets.
      await h.notify([...flags, "join", "vip", "--user", "7"]);
      await sleep(200);
      m = h.mark();
      await h.notify([...flags, "--room", "vip", "--type", "VIP"]);
      await h.waitReceived(m, [g7], 1, `${mode}: vip (user 7) after join`);
      await sleep(QUIET_MS);
      h.only(m, [g7], "notification", fleet);
      await h.notify([...flags, "leave", "vip", "--user", "7"]);
      await sleep(200);
      m = h.mark();
      await h.notify([...flags, "--room", "vip", "--type", "VIP_AGAIN"]);
      await sleep(QUIET_MS);
      h.only(m, [], "notification", fleet);
      await h.notify([...flags, "disconnect", "--user", "9"]);
      await waitFor(() => g9.disconnects.length > 0, { timeoutMs: 5000, message: `${mode}: user 9 disconnected by the gateway` });
      assert.equal(g9.disconnects[0].reason, "io server disconnect");

      // notify's requests count and reach both servers.
      const confirm = await h.notify([...flags, "--user", "42", "--type", "CONFIRMED", "--confirm", "--acks", ...TIMEOUT]);
      const lines = confirm.stdout.split("\n").filter(Boolean);
      assert.deepEqual(lines.slice(0, 2), ["delivered to 2 sockets (2 of 2 servers answered)", "acknowledged by 1 of 2"],
        `${confirm.shown}:\n${confirm.stdout}\n${confirm.stderr}`);
      const ids = await h.notify([...flags, "sockets", "--user", "42", "--ids", ...TIMEOUT]);
      assert.deepEqual(ids.stdout.split("\n").filter(Boolean).sort(), [n42.socket.id, g42.socket.id].sort(), ids.stdout);
      const sse = await h.notify([...flags, "server-emit", "hello", "--arg", "1", "--acks", ...TIMEOUT]);
      const answers = sse.stdout.split("\n").filter(Boolean);
      assert.equal(answers[0], "answered by 2 of 2 servers", sse.stdout);
      assert.deepEqual(answers.slice(1).sort(), ['{"server":"node-' + mode + '","event":"hello","args":[1]}', "null"].sort(), sse.stdout);

      // The Node server's own requests include the gateway and finish fast.
      const count = await node.control({ cmd: "serverCount" });
      assert.equal(count.count, 2, JSON.stringify(count));
      const fetched = await node.control({ cmd: "fetchSockets" });
      assert.equal(fetched.error, undefined, fetched.error);
      assert.ok(fetched.ms < FAST_MS, `fetchSockets took ${fetched.ms} ms`);
      assert.deepEqual(fetched.sockets.map((s) => s.id).sort(), [n42, g42, g7, n5].map((c) => c.socket.id).sort());
      const acked = await node.control({ cmd: "serverSideEmitWithAck", event: "hello", args: [2] });
      assert.equal(acked.error, undefined, acked.error);
      assert.ok(acked.ms < FAST_MS, `serverSideEmitWithAck took ${acked.ms} ms`);
      assert.deepEqual(acked.responses.map((v) => v ?? null), [null], "the gateway's empty acknowledgement");

      // When the last socket of a room leaves, the gateway unsubscribes its channel.
      g7.socket.disconnect();
      await waitFor(async () => (await shardSubscribers("socket.io#/#user:7#")) === 0,
        { timeoutMs: 5000, intervalMs: 50, message: `${mode}: socket.io#/#user:7# unsubscribed` });
      h.checkGateways();
      console.log(`[sharded ${mode}] delivered, joined, left, disconnected; confirm 2 of 2, acks 1 of 2, sockets, server-emit 2 of 2; Node's requests fast`);
    } finally {
      for (const c of [...h.clients]) c.socket?.disconnect();
      await gateway.stop();
      await node.stop();
    }
  });
}

// Every byte value, then bytes that would look like JSON or msgpack framing if anything decoded them as text.
const FILE_BYTES = Buffer.concat([Buffer.from([...Array(256).keys()]), Buffer.from('{"x":1}\x00\xc4\x84', "latin1")]);

for (const mode of ["dynamic", "static", "dynamic-private"]) test(`sharded ${mode}: a fleet of two gateways: notify, a binary argument (notepack), volatile, join and requests`, async () => {
  const flags = ["--mode", "sharded", "--subscription-mode", mode];
  const perRoom = mode === "static" ? 0 : 1;  // room channels each gateway subscribes while it has sockets there
  const g1 = await h.startGateway({ args: flags, waitSubscribed: false });
  const g2 = await h.startGateway({ args: flags, waitSubscribed: false });
  try {
    await waitFor(async () => (await shardSubscribers("socket.io#/#")) === 2,
      { timeoutMs: 10000, intervalMs: 50, message: "both gateways SSUBSCRIBE socket.io#/#" });
    const a42 = await h.connect(g1.port, { userId: "42", label: "user 42 on gateway 1" });
    const b42 = await h.connect(g2.port, { userId: "42", label: "user 42 on gateway 2", upgraded: true });
    const b7 = await h.connect(g2.port, { userId: "7", label: "user 7 on gateway 2" });
    const fleet = [a42, b42, b7];
    await waitFor(async () => (await shardSubscribers("socket.io#/#user:42#")) === 2 * perRoom && (await shardSubscribers("socket.io#/#user:7#")) === perRoom,
      { timeoutMs: 5000, intervalMs: 50, message: `${mode}: the users' room channels subscribed` });

    let m = h.mark();
    await h.notify([...flags, "--user", "42", "--type", "TWO_GATEWAYS"]);
    await h.waitReceived(m, [a42, b42], 1, "user 42 on both gateways");
    await sleep(QUIET_MS);
    h.only(m, [a42, b42], "notification", fleet);

    // A Buffer argument makes the ClusterMessage notepack msgpack: the client gets a Buffer with the exact bytes.
    m = h.mark();
    const args = ["--redis", h.redis.url, ...flags, "--room", "user:7", "--hex", FILE_BYTES.toString("hex"), "--name", "f.bin"];
    const r = await run(binaryFromEnv("SIO_BINARY_EMITTER", "sio-e2e-binary-emitter"), args, { timeoutMs: 10000 });
    assert.equal(r.code, 0, `sio-e2e-binary-emitter exited ${r.code}:\n${r.stderr}`);
    await h.waitReceived(m, [b7], 1, "user 7's file");
    const [file, meta] = m.received(b7).find((e) => e.event === "file").args;
    assert.ok(Buffer.isBuffer(file), `a Buffer, got ${Object.prototype.toString.call(file)}`);
    assert.equal(file.toString("hex"), FILE_BYTES.toString("hex"));
    assert.deepEqual(meta, { name: "f.bin" });

    // Volatile: delivered to connected, writable clients.
    m = h.mark();
    await h.notify([...flags, "--user", "7", "--type", "VOLATILE", "--volatile"]);
    await h.waitReceived(m, [b7], 1, "user 7's volatile notification");

    // socketsJoin across the gateways, then one notification to the room.
    await h.notify([...flags, "join", "vip", "--user", "42"]);
    if (perRoom) {
      await waitFor(async () => (await shardSubscribers("socket.io#/#vip#")) === 2,
        { timeoutMs: 5000, intervalMs: 50, message: `${mode}: vip's channel subscribed by both gateways` });
    } else {
      await sleep(200);  // static: applied as it is read from the main channel
    }
    m = h.mark();
    await h.notify([...flags, "--room", "vip", "--type", "VIP"]);
    await h.waitReceived(m, [a42, b42], 1, "vip on both gateways");
    await sleep(QUIET_MS);
    h.only(m, [a42, b42], "notification", fleet);

    const confirm = await h.notify([...flags, "--user", "42", "--type", "C", "--confirm", ...TIMEOUT]);
    assert.equal(confirm.stdout, "delivered to 2 sockets (2 of 2 servers answered)\n", confirm.stderr);
    const ids = await h.notify([...flags, "sockets", "--ids", ...TIMEOUT]);
    assert.deepEqual(ids.stdout.split("\n").filter(Boolean).sort(), fleet.map((c) => c.socket.id).sort(), ids.stdout);
    h.checkGateways();
    console.log(`[sharded ${mode} two gateways] notify, binary, volatile, join, confirm 2 of 2, sockets 3 of 3`);
  } finally {
    for (const c of [...h.clients]) c.socket?.disconnect();
    await g1.stop();
    await g2.stop();
  }
});
