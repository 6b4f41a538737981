// sio-gateway --mode streams beside a real Node server on @socket.io/redis-streams-adapter 0.3.1 (one Redis): the
// gateway reads the stream from where it started (XREAD), SUBSCRIBEs <key>#<nsp># (Node servers count it as a server)
// and its own <key>#<nsp>#<uid>#, applies broadcasts, socketsJoin/Leave and disconnectSockets, answers the ephemeral
// requests (notify --confirm, sockets, server-emit --acks; the Node server's fetchSockets, serverSideEmitWithAck,
// serverCount). Then connection state recovery (--connection-state-recovery, socket.io 4.8 semantics): a client
// that drops its transport gets the notifications it missed, in order, with `recovered` true, on the same gateway,
// from a Node server to a gateway and back; after --max-disconnection-duration it starts a new session.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification } from "./harness.mjs";
import { run, binaryFromEnv } from "../../interop/lib/proc.mjs";
import { drop, reconnect, seen, recoveryRound } from "./recovery.mjs";

const FAST_MS = 2000;
const TIMEOUT = ["--timeout", "2s"];
const STREAMS = ["--mode", "streams"];
const h = new Harness();

before(async () => {
  await h.start();
});

after(() => h.close());

const subscribers = async (channel) => Number((await h.admin.sendCommand(["PUBSUB", "NUMSUB", channel]))[1]);

test("streams: a Node server and a gateway deliver, join, leave, disconnect and answer requests", async () => {
  const node = await h.startNodeServer("node-streams", {
    env: { SIO_ADAPTER: "streams", SIO_SERVER_ACK: "echo" },
    waitSubscribed: false,
  });
  const gateway = await h.startGateway({ args: STREAMS, waitSubscribed: false });
  try {
    await waitFor(async () => (await subscribers("socket.io#/#")) === 2,
      { timeoutMs: 10000, intervalMs: 50, message: "both servers SUBSCRIBE socket.io#/#" });
    const n42 = await h.connect(node.port, { userId: "42", label: "user 42 on Node" });
    const g42 = await h.connect(gateway.port, { userId: "42", label: "user 42 on the gateway", ackWith: () => "seen" });
    const g7 = await h.connect(gateway.port, { userId: "7", label: "user 7 on the gateway" });
    const g9 = await h.connect(gateway.port, { userId: "9", label: "user 9 on the gateway" });
    const n5 = await h.connect(node.port, { userId: "5", label: "user 5 on Node" });
    const fleet = [n42, g42, g7, g9, n5];
    const health = await (await fetch(`${gateway.url}/healthz`)).json();
    assert.deepEqual(health, {
      status: "ok", redis: "connected", mode: "streams", channels: 2, streams: 1, streams_connected: 1,
      nodes: [{ node: `127.0.0.1:${h.redis.port}`, channels: 2, streams: 1 }], sockets: 3,
    });

    // notify (XADD to the stream) to user 42: both servers' sockets, once each; to user 7: the gateway's only.
    let m = h.mark();
    await h.notify([...STREAMS, "--user", "42", "--type", "BOTH"]);
    await h.waitReceived(m, [n42, g42], 1, "user 42 on both servers");
    await sleep(QUIET_MS);
    h.only(m, [n42, g42], "notification", fleet);
    assertNotification(m.received(g42)[0], "BOTH", g42.label);
    assert.equal(m.received(g42)[0].args.length, 1, "no recovery offset without --connection-state-recovery");
    m = h.mark();
    await h.notify([...STREAMS, "--user", "7", "--type", "SEVEN"]);
    await h.waitReceived(m, [g7], 1, "user 7 on the gateway");
    await sleep(QUIET_MS);
    h.only(m, [g7], "notification", fleet);
    // except: everyone but user 42.
    m = h.mark();
    await h.notify([...STREAMS, "--all", "--except", "user:42", "--type", "ALL_BUT_42"]);
    await h.waitReceived(m, [g7, g9, n5], 1, "everyone but user 42");
    await sleep(QUIET_MS);
    h.only(m, [g7, g9, n5], "notification", fleet);

    // The Node server's own io.to("user:7").emit (an XADD of its own) reaches the gateway's socket.
    m = h.mark();
    const emitted = await node.control({ cmd: "emit", rooms: ["user:7"], event: "from-node", args: [{ a: 1 }] });
    assert.equal(emitted.error, undefined, emitted.error);
    await h.waitReceived(m, [g7], 1, "the Node server's emit to user 7");
    assert.deepEqual(m.received(g7).find((e) => e.event === "from-node").args, [{ a: 1 }]);

    // A Buffer argument: the entry's data is base64 msgpack; the client gets the exact bytes.
    m = h.mark();
    const bytes = Buffer.from([...Array(256).keys()]);
    const r = await run(binaryFromEnv("SIO_BINARY_EMITTER", "sio-e2e-binary-emitter"),
      ["--redis", h.redis.url, ...STREAMS, "--room", "user:9", "--hex", bytes.toString("hex"), "--name", "f.bin"], { timeoutMs: 10000 });
    assert.equal(r.code, 0, `sio-e2e-binary-emitter exited ${r.code}:\n${r.stderr}`);
    await h.waitReceived(m, [g9], 1, "user 9's file");
    const [file, meta] = m.received(g9).find((e) => e.event === "file").args;
    assert.equal(Buffer.from(file).toString("hex"), bytes.toString("hex"));
    assert.deepEqual(meta, { name: "f.bin" });

    // Volatile.
    m = h.mark();
    await h.notify([...STREAMS, "--user", "7", "--type", "VOLATILE", "--volatile"]);
    await h.waitReceived(m, [g7], 1, "user 7's volatile notification");

    // socketsJoin / socketsLeave / disconnectSockets from notify act on the gateway's sockets.
    await h.notify([...STREAMS, "join", "vip", "--user", "7"]);
    await sleep(200);
    m = h.mark();
    await h.notify([...STREAMS, "--room", "vip", "--type", "VIP"]);
    await h.waitReceived(m, [g7], 1, "vip (user 7) after join");
    await sleep(QUIET_MS);
    h.only(m, [g7], "notification", fleet);
    await h.notify([...STREAMS, "leave", "vip", "--user", "7"]);
    await sleep(200);
    m = h.mark();
    await h.notify([...STREAMS, "--room", "vip", "--type", "VIP_AGAIN"]);
    await sleep(QUIET_MS);
    h.only(m, [], "notification", fleet);
    // The Node server's socketsJoin reaches the gateway's socket too.
    const joined = await node.control({ cmd: "socketsJoin", rooms: ["user:9"], join: "club" });
    assert.equal(joined.error, undefined, joined.error);
    await sleep(200);
    m = h.mark();
    await h.notify([...STREAMS, "--room", "club", "--type", "CLUB"]);
    await h.waitReceived(m, [g9], 1, "club (user 9) after the Node server's socketsJoin");
    await h.notify([...STREAMS, "disconnect", "--user", "9"]);
    await waitFor(() => g9.disconnects.length > 0, { timeoutMs: 5000, message: "user 9 disconnected by the gateway" });
    assert.equal(g9.disconnects[0].reason, "io server disconnect");

    // notify's requests (ephemeral: PUBLISH on socket.io#/#) count and reach both servers.
    const confirm = await h.notify([...STREAMS, "--user", "42", "--type", "CONFIRMED", "--confirm", "--acks", ...TIMEOUT]);
    const lines = confirm.stdout.split("\n").filter(Boolean);
    assert.deepEqual(lines.slice(0, 2), ["delivered to 2 sockets (2 of 2 servers answered)", "acknowledged by 1 of 2"],
      `${confirm.shown}:\n${confirm.stdout}\n${confirm.stderr}`);
    const ids = await h.notify([...STREAMS, "sockets", "--user", "42", "--ids", ...TIMEOUT]);
    assert.deepEqual(ids.stdout.split("\n").filter(Boolean).sort(), [n42.socket.id, g42.socket.id].sort(), ids.stdout);
    const sse = await h.notify([...STREAMS, "server-emit", "hello", "--arg", "1", "--acks", ...TIMEOUT]);
    const answers = sse.stdout.split("\n").filter(Boolean);
    assert.equal(answers[0], "answered by 2 of 2 servers", sse.stdout);

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
    h.checkGateways();
    console.log("[streams] delivered (notify, Node, binary, volatile, except), joined, left, disconnected; confirm 2 of 2, acks 1 of 2, sockets, server-emit 2 of 2; Node's requests fast");
  } finally {
    for (const c of [...h.clients]) c.socket?.disconnect();
    await gateway.stop();
    await node.stop();
  }
});

test("streams: a fleet of two gateways, and a gateway started after entries were written reads from its start", async () => {
  // Entries written before the gateway starts are not replayed to its clients.
  await h.notify([...STREAMS, "--user", "1", "--type", "BEFORE_START"]);
  const g1 = await h.startGateway({ args: STREAMS, waitSubscribed: false });
  const g2 = await h.startGateway({ args: STREAMS, waitSubscribed: false });
  try {
    await waitFor(async () => (await subscribers("socket.io#/#")) === 2,
      { timeoutMs: 10000, intervalMs: 50, message: "both gateways SUBSCRIBE socket.io#/#" });
    const a1 = await h.connect(g1.port, { userId: "1", label: "user 1 on gateway 1" });
    const b1 = await h.connect(g2.port, { userId: "1", label: "user 1 on gateway 2", upgraded: true });
    const b2 = await h.connect(g2.port, { userId: "2", label: "user 2 on gateway 2" });
    const fleet = [a1, b1, b2];
    await sleep(QUIET_MS);
    assert.deepEqual(fleet.map((c) => c.received.length), [0, 0, 0], "nothing from before the gateways started");
    const m = h.mark();
    for (let i = 0; i < 50; i++) await h.notify([...STREAMS, "--user", String(1 + (i % 2)), "--type", `N${i}`]);
    await h.waitReceived(m, [a1, b1], 25, "25 each on user 1's sockets");
    await h.waitReceived(m, [b2], 25, "25 on user 2's socket");
    await sleep(QUIET_MS);
    for (const c of fleet) {
      const types = m.received(c).map((e) => e.args[0].type);
      const want = [...Array(50).keys()].filter((i) => (c === b2 ? i % 2 === 1 : i % 2 === 0)).map((i) => `N${i}`);
      assert.deepEqual(types, want, `${c.label}: every notification once, in order`);
    }
    const confirm = await h.notify([...STREAMS, "--user", "1", "--type", "C", "--confirm", ...TIMEOUT]);
    assert.equal(confirm.stdout, "delivered to 2 sockets (2 of 2 servers answered)\n", confirm.stderr);
    h.checkGateways();
    console.log("[streams two gateways] 50 notifications once each in order; confirm 2 of 2");
  } finally {
    for (const c of [...h.clients]) c.socket?.disconnect();
    await g1.stop();
    await g2.stop();
  }
});

// --- connection state recovery --------------------------------------------------------------------------------------

const RECOVERY = [...STREAMS, "--connection-state-recovery"];

test("streams: connection state recovery on one gateway, from a Node server to a gateway and back, and its expiry", async () => {
  const gw = await h.startGateway({ args: RECOVERY, waitSubscribed: false });
  const node = await h.startNodeServer("node-recovery", { env: { SIO_ADAPTER: "streams", SIO_RECOVERY: "1" }, waitSubscribed: false });
  const short = await h.startGateway({ args: [...RECOVERY, "--max-disconnection-duration", "1s"], waitSubscribed: false });
  try {
    await waitFor(async () => (await subscribers("socket.io#/#")) === 3,
      { timeoutMs: 10000, intervalMs: 50, message: "three servers SUBSCRIBE socket.io#/#" });
    // The same gateway.
    const c = await h.connect(gw.port, { userId: "77", label: "user 77" });
    c.userId = "77";
    const bystander = await h.connect(gw.port, { userId: "78", label: "user 78" });
    await recoveryRound(h, STREAMS, "SAME", gw, c);
    assert.equal(bystander.received.filter((e) => e.event === "notification").length, 0, "user 78 got nothing of user 77's");

    // A session a Node server stored, recovered by the gateway; then one the gateway stored, recovered by Node.
    const x = await h.connect(node.port, { userId: "88", label: "user 88" });
    x.userId = "88";
    await recoveryRound(h, STREAMS, "NODE_TO_GATEWAY", gw, x);
    await recoveryRound(h, STREAMS, "GATEWAY_TO_NODE", node, x);

    // After --max-disconnection-duration the session is gone: a new socket id, recovered false, nothing replayed.
    const y = await h.connect(short.port, { userId: "99", label: "user 99" });
    y.userId = "99";
    let m = h.mark();
    await h.notify([...STREAMS, "--user", "99", "--type", "EXPIRY_BEFORE"]);
    await h.waitReceived(m, [y], 1, "user 99's first notification");
    const old = y.socket.id;
    await drop(y);
    m = h.mark();
    await h.notify([...STREAMS, "--user", "99", "--type", "EXPIRY_MISSED"]);
    await sleep(1500);
    await reconnect(y, short.port);
    await sleep(QUIET_MS);
    assert.equal(y.socket.recovered, false, "recovered after the duration");
    assert.notEqual(y.socket.id, old, "a new socket id after the duration");
    assert.deepEqual(seen(m, y), [], "nothing replayed after the duration");

    // A pid for another user's session is not restored (the gateway authenticates every CONNECT).
    const z = await h.connect(gw.port, { userId: "55", label: "user 55" });
    m = h.mark();
    await h.notify([...STREAMS, "--user", "55", "--type", "Z1"]);
    await h.waitReceived(m, [z], 1, "user 55's first notification");
    const pid = z.socket._pid;
    const offset = z.socket._lastOffset;
    await drop(z);
    await sleep(100);
    const thief = await h.connect(gw.port, { userId: "56", label: "user 56 with user 55's pid", auth: { userId: "56", pid, offset } });
    assert.notEqual(thief.socket.id, z.socket.id ?? "", "not user 55's socket");
    await sleep(QUIET_MS);
    assert.equal(thief.received.length, 0, "nothing of user 55's replayed to user 56");

    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const metric = (name) => Number(metrics.match(new RegExp(`^${name} (\\d+)$`, "m"))?.[1]);
    assert.ok(metric("sio_gateway_sessions_restored_total") >= 2, metrics);
    assert.ok(metric("sio_gateway_sessions_stored_total") >= 2, metrics);
    assert.equal(metric("sio_gateway_sessions_refused_total"), 1, "user 55's session refused to user 56");
    h.checkGateways();
    console.log("[streams recovery] same gateway, Node -> gateway, gateway -> Node: 3 missed of 3 in order + 1 live, recovered, same id; after 1 s: a new session; another user's pid: not restored");
  } finally {
    for (const c of [...h.clients]) c.socket?.disconnect();
    await gw.stop();
    await short.stop();
    await node.stop();
  }
});

test("streams: a gateway shut down (SIGTERM, a deploy): its clients recover their sessions on another gateway", async () => {
  const a = await h.startGateway({ args: RECOVERY, waitSubscribed: false });
  const b = await h.startGateway({ args: RECOVERY, waitSubscribed: false });
  try {
    await waitFor(async () => (await subscribers("socket.io#/#")) === 2,
      { timeoutMs: 10000, intervalMs: 50, message: "both gateways SUBSCRIBE socket.io#/#" });
    const c = await h.connect(a.port, { userId: "41", label: "user 41" });
    let m = h.mark();
    await h.notify([...STREAMS, "--user", "41", "--type", "BEFORE_DEPLOY"]);
    await h.waitReceived(m, [c], 1, "before the deploy");
    const id = c.socket.id;
    await a.stop();  // SIGTERM: Engine.IO close packets, sessions stored ("server shutting down"), then exit
    await waitFor(() => !c.socket.connected, { timeoutMs: 5000, message: "user 41 disconnected by the shutdown" });
    m = h.mark();
    for (const n of [1, 2]) await h.notify([...STREAMS, "--user", "41", "--type", `DURING_DEPLOY_${n}`]);
    await reconnect(c, b.port);
    await h.waitReceived(m, [c], 2, "the 2 sent while no gateway held user 41");
    assert.equal(c.socket.recovered, true, "recovered on the other gateway");
    assert.equal(c.socket.id, id, "the same socket id");
    assert.deepEqual(seen(m, c).map(([type]) => type), ["DURING_DEPLOY_1", "DURING_DEPLOY_2"]);
    h.checkGateways();
    console.log("[streams deploy] a gateway stopped with SIGTERM: its client recovered on another gateway with the 2 it missed");
  } finally {
    for (const c of [...h.clients]) c.socket?.disconnect();
    await a.stop();
    await b.stop();
  }
});

test("streams: Redis killed and restarted: the gateway reads the stream and its channels again, its clients receive again", async () => {
  const gw = await h.startGateway({ args: RECOVERY, waitSubscribed: false });
  try {
    await waitFor(async () => (await subscribers("socket.io#/#")) === 1,
      { timeoutMs: 10000, intervalMs: 50, message: "the gateway SUBSCRIBEs socket.io#/#" });
    const c = await h.connect(gw.port, { userId: "31", label: "user 31" });
    let m = h.mark();
    await h.notify([...STREAMS, "--user", "31", "--type", "BEFORE_RESTART"]);
    await h.waitReceived(m, [c], 1, "before the restart");
    await h.killRedis();
    await waitFor(async () => (await fetch(`${gw.url}/healthz`)).status === 503,
      { timeoutMs: 5000, intervalMs: 50, message: "/healthz 503 while Redis is away" });
    await h.restartRedis();  // the admin client (node-redis) reconnects by itself
    let health;
    await waitFor(async () => {
      health = await (await fetch(`${gw.url}/healthz`)).json();
      return health.status === "ok";
    }, { timeoutMs: 10000, intervalMs: 50, message: "/healthz 200 after the restart" });
    assert.equal(health.streams_connected, 1, JSON.stringify(health));
    // The new Redis has an empty stream: the reader goes on from its last entry, and the new entries come after it.
    m = h.mark();
    await h.notify([...STREAMS, "--user", "31", "--type", "AFTER_RESTART"]);
    await h.waitReceived(m, [c], 1, "after the restart");
    await waitFor(async () => (await subscribers("socket.io#/#")) === 1,
      { timeoutMs: 10000, intervalMs: 50, message: "socket.io#/# subscribed again" });
    const confirm = await h.notify([...STREAMS, "--user", "31", "--type", "C", "--confirm", ...TIMEOUT]);
    assert.equal(confirm.stdout, "delivered to 1 socket (1 of 1 server answered)\n", confirm.stderr);
    h.checkGateways();
    console.log("[streams restart] /healthz 503 then 200; delivered and answered again after the restart");
  } finally {
    for (const c of [...h.clients]) c.socket?.disconnect();
    await gw.stop();
  }
});
