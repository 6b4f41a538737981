// notify on a REAL Redis Cluster (3 masters, lib/redis-cluster.mjs) against REAL Node servers whose Redis clients
// are node-redis cluster clients (tests/interop/server.mjs with a redis+cluster:// URL: createCluster). notify gets
// two of the three seeds (redis+cluster://), so it must discover the third master itself.
//
// Sharded adapter, each subscription mode: users whose room channels `socket.io#/#user:N#` hash to each of the three
// masters (picked with CLUSTER KEYSLOT and CLUSTER SLOTS) are connected to two servers; a notification to each
// reaches exactly its sockets (in the dynamic modes over its own shard channel, hence its own master); join, leave,
// disconnect act; a binary argument (sio-e2e-binary-emitter, SIO_BINARY_EMITTER, given the same URL) arrives byte
// for byte. Then the classic adapter (PUBLISH, which the cluster forwards to every node) and the streams adapter
// (XREAD on a cluster client) the same way. Each fleet prints its sent/received counts. Then each mode again with
// server B being sio-gateway on the same redis+cluster:// URL, and with both servers gateways: the same deliveries,
// and requests from notify and from the Node server counting both servers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS } from "./harness.mjs";
import { FLEETS, startClusterFleets } from "./cluster-fleet.mjs";
import { run, binaryFromEnv } from "../../interop/lib/proc.mjs";
import { recoveryRound } from "./recovery.mjs";

const h = new Harness();
let cluster, users, sumShardNumSub, waitServersReady, startFleet, stopFleet, expectOnly;

before(async () => {
  ({ cluster, users, sumShardNumSub, waitServersReady, startFleet, stopFleet, expectOnly } = await startClusterFleets(h));
});

after(() => h.close());

// Every byte value, then bytes that would look like JSON or msgpack framing if anything decoded them as text.
const FILE_BYTES = Buffer.concat([Buffer.from([...Array(256).keys()]), Buffer.from('{"x":1}\x00\xc4\x84', "latin1")]);

async function emitFile(env, room, name) {
  const args = ["--redis", cluster.url, "--mode", env.SIO_ADAPTER, "--room", room, "--hex", FILE_BYTES.toString("hex"), "--name", name];
  if (env.SIO_SUBSCRIPTION_MODE) args.push("--subscription-mode", env.SIO_SUBSCRIPTION_MODE);
  const r = await run(binaryFromEnv("SIO_BINARY_EMITTER", "sio-e2e-binary-emitter"), args, { timeoutMs: 10000 });
  assert.equal(r.code, 0, `sio-e2e-binary-emitter ${args.slice(0, 6).join(" ")} exited ${r.code}:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const TIMEOUT = ["--timeout", "3s"];

const VARIANTS = FLEETS.flatMap((f) => [
  f,
  { ...f, name: `${f.name}, Node + gateway`, gateway: f.mode },
  { ...f, name: `${f.name}, two gateways`, gateway: f.mode, gateways: true },
]);

for (const { name, mode, env, gateway, gateways } of VARIANTS) {
  test(`cluster, ${name}: each master's users get exactly their notifications; join, leave, disconnect; binary`, async () => {
    const f = await startFleet(`cluster-${name.replace(/[ ,+]+/g, "-")}`, env, { gateway, gateways });
    const dynamic = env.SIO_ADAPTER === "sharded" && env.SIO_SUBSCRIPTION_MODE !== "static";
    try {
      // One notification per user (so per master): exactly that user's sockets, on whichever servers.
      for (const u of users) {
        const m = h.mark();
        const r = await h.notify([...mode, "--user", u.id, "--type", `FOR_${u.id}`, "--json"]);
        await expectOnly(f, m, f.sockets.get(u.id), "notification", `${name}: user ${u.id}'s sockets receive`);
        for (const c of f.sockets.get(u.id)) assert.equal(m.received(c)[0].args[0].type, `FOR_${u.id}`, c.label);
        const published = JSON.parse(r.stdout);
        const servers = new Set(f.sockets.get(u.id).map((c) => c.server)).size;
        if (env.SIO_ADAPTER === "sharded") {
          assert.equal(published.command, "SPUBLISH");
          // Its own shard channel (served by u.master only) unless the servers subscribe just the main one; the
          // receivers, counted by the master that served it, are the servers that subscribe that channel.
          assert.equal(published.channel, dynamic ? u.channel : "socket.io#/#");
          assert.equal(published.receivers, dynamic ? servers : 2, `${name}: SPUBLISH receivers for user ${u.id}`);
        } else if (env.SIO_ADAPTER === "streams") {
          assert.equal(published.command, "XADD");
          assert.match(published.offset, /^\d+-\d+$/, "the entry id is reported");
        } else {
          assert.equal(published.command, "PUBLISH");
        }
      }

      // socketsJoin: users[1]'s socket (A) and users[2]'s (B) join "vip"; a notification to vip reaches them only.
      await h.notify([...mode, "join", "vip", "--user", users[1].id]);
      await h.notify([...mode, "join", "vip", "--user", users[2].id]);
      const vip = [...f.sockets.get(users[1].id), ...f.sockets.get(users[2].id)];
      if (dynamic) {
        await waitFor(async () => (await sumShardNumSub("socket.io#/#vip#")) >= 2,
          { timeoutMs: 5000, intervalMs: 50, message: `${name}: both servers subscribe vip's channel` });
      } else {
        await sleep(200);  // the servers apply it as they read it
      }
      let m = h.mark();
      await h.notify([...mode, "--room", "vip", "--type", "VIP"]);
      await expectOnly(f, m, vip, "notification", `${name}: vip receives after join`);

      // socketsLeave: users[2] leaves; vip is users[1] only.
      await h.notify([...mode, "leave", "vip", "--user", users[2].id]);
      await sleep(200);
      m = h.mark();
      await h.notify([...mode, "--room", "vip", "--type", "VIP_AGAIN"]);
      await expectOnly(f, m, f.sockets.get(users[1].id), "notification", `${name}: vip after leave`);

      // A binary argument to each user's room: a Buffer with the exact bytes, only in that room.
      for (const u of users.slice(0, 3)) {
        m = h.mark();
        const published = await emitFile(env, u.room, `${u.id}.bin`);
        await expectOnly(f, m, f.sockets.get(u.id), "file", `${name}: user ${u.id}'s sockets receive the file`);
        for (const c of f.sockets.get(u.id)) {
          const [file, meta, ...rest] = m.received(c)[0].args;
          assert.ok(Buffer.isBuffer(file), `${c.label}: the first argument is a Buffer, got ${Object.prototype.toString.call(file)}`);
          assert.equal(file.toString("hex"), FILE_BYTES.toString("hex"), `${c.label}: the bytes`);
          assert.deepEqual(meta, { name: `${u.id}.bin` }, `${c.label}: the JSON member`);
          assert.deepEqual(rest, [], `${c.label}: nothing else`);
        }
        if (dynamic) assert.equal(published.channel, u.channel, `${name}: the file's shard channel`);
      }

      if (gateway) {
        // Requests: notify's count both servers, the Node server's own include the gateway's sockets.
        const confirm = await h.notify([...mode, "--user", users[0].id, "--type", "C", "--confirm", ...TIMEOUT]);
        assert.equal(confirm.stdout, "delivered to 2 sockets (2 of 2 servers answered)\n", `${name}: ${confirm.stderr}`);
        if (!gateways) {
          const count = await f.a.control({ cmd: "serverCount" });
          assert.equal(count.count, 2, `${name}: the Node server counts the gateway: ${JSON.stringify(count)}`);
          const fetched = await f.a.control({ cmd: "fetchSockets" });
          assert.equal(fetched.error, undefined, fetched.error);
          assert.ok(fetched.ms < 2000, `${name}: fetchSockets took ${fetched.ms} ms`);
          assert.deepEqual(fetched.sockets.map((s) => s.id).sort(), f.all.map((c) => c.socket.id).sort(), `${name}: fetchSockets`);
        } else {
          const ids = await h.notify([...mode, "sockets", "--ids", ...TIMEOUT]);
          assert.deepEqual(ids.stdout.split("\n").filter(Boolean).sort(), f.all.map((c) => c.socket.id).sort(), `${name}: notify sockets`);
        }
        // /healthz: where it is subscribed and reading, per master.
        const health = await (await fetch(`${f.b.url}/healthz`)).json();
        assert.equal(health.status, "ok", JSON.stringify(health));
        const ports = new Set(cluster.nodes.map((n) => `127.0.0.1:${n.port}`));
        for (const n of health.nodes) assert.ok(ports.has(n.node), `${name}: ${n.node} is a node of the cluster`);
        assert.equal(health.nodes.reduce((sum, n) => sum + n.channels, 0), health.channels, `${name}: ${JSON.stringify(health.nodes)}`);
        if (env.SIO_ADAPTER === "streams") {
          const owner = await cluster.ownerOf("socket.io");
          assert.deepEqual(health.nodes.filter((n) => n.streams > 0).map((n) => n.node), [`127.0.0.1:${owner.port}`],
            `${name}: the stream is read on its master`);
        }
        if (dynamic) assert.ok(health.nodes.length >= 2, `${name}: shard channels on several masters: ${JSON.stringify(health.nodes)}`);
        h.checkGateways();
      }

      // disconnectSockets: users[2] is disconnected by its server; everybody else stays.
      await h.notify([...mode, "disconnect", "--user", users[2].id, "--close"]);
      const gone = f.sockets.get(users[2].id);
      await waitFor(() => gone.every((c) => c.disconnects.length > 0), { timeoutMs: 5000, message: `${name}: user ${users[2].id} disconnected` });
      for (const c of gone) assert.equal(c.disconnects[0].reason, "io server disconnect", c.label);
      await sleep(QUIET_MS);
      for (const c of f.all) if (!gone.includes(c)) assert.ok(c.socket.connected && c.disconnects.length === 0, `${c.label}: still connected`);

      const { sent, expected, received } = f.stats;
      console.log(`[cluster ${name}] sent ${sent} notifications (${users.length - 1} users/masters + vip x2 + 3 files), ` +
        `expected ${expected} deliveries, received ${received}`);
      assert.equal(received, expected, `${name}: deliveries`);
    } finally {
      await stopFleet(f);
    }
  });
}

// Connection state recovery on the cluster: the stream lives on one master, each session key (sio:session:<pid>) on
// whichever master its slot falls to (another one, for most pids), and a client moves between a gateway and a Node
// server on the streams adapter with connectionStateRecovery.
test("cluster, streams: connection state recovery on a gateway, from it to a Node server and back", async () => {
  const node = await h.startNodeServer("cluster-recovery-node", { env: { SIO_ADAPTER: "streams", SIO_RECOVERY: "1" }, waitSubscribed: false });
  const gw = await h.startGateway({ args: ["--mode", "streams", "--connection-state-recovery"], waitSubscribed: false });
  try {
    await waitServersReady("streams", 2);
    const c = await h.connect(gw.port, { userId: users[0].id, label: `user ${users[0].id} (recovery)` });
    c.userId = users[0].id;
    const flags = ["--mode", "streams"];
    await recoveryRound(h, flags, "CLUSTER_SAME", gw, c);
    await recoveryRound(h, flags, "CLUSTER_GATEWAY_TO_NODE", node, c);
    await recoveryRound(h, flags, "CLUSTER_NODE_TO_GATEWAY", gw, c);
    const stream = await cluster.ownerOf("socket.io");
    console.log(`[cluster streams recovery] 3 rounds (gateway, gateway -> Node, Node -> gateway): 3 missed + 1 live each, recovered; stream on master ${stream.port}`);
    h.checkGateways();
  } finally {
    for (const c of [...h.clients]) c.socket?.disconnect();
    await gw.stop();
    await node.stop();
  }
});
