// A real Redis Cluster (3 masters, lib/redis-cluster.mjs) and fleets of 2 Node servers on it, for the cluster suites
// (adapter-modes-cluster, confirm-cluster): one Harness, one cluster per test file.
import assert from "node:assert/strict";
import { waitFor, sleep, QUIET_MS } from "./harness.mjs";
import { startRedisCluster } from "../../interop/lib/redis-cluster.mjs";

// The adapters, as notify's flags and tests/interop/server.mjs's environment.
export const FLEETS = [
  { name: "sharded dynamic", mode: ["--mode", "sharded"], env: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: "dynamic" } },
  { name: "sharded static", mode: ["--mode", "sharded", "--subscription-mode", "static"], env: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: "static" } },
  { name: "sharded dynamic-private", mode: ["--mode", "sharded", "--subscription-mode", "dynamic-private"], env: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: "dynamic-private" } },
  { name: "classic", mode: ["--mode", "classic"], env: { SIO_ADAPTER: "classic" } },
  { name: "streams", mode: ["--mode", "streams"], env: { SIO_ADAPTER: "streams" } },
];

// Starts the cluster and the harness on it (call from before()); returns the helpers below, bound to them.
export async function startClusterFleets(h) {
  const cluster = await startRedisCluster({ masters: 3, seedCount: 2 });
  await h.start({ redis: cluster });
  const sumShardNumSub = (channel) => cluster.sumOverNodes(["PUBSUB", "SHARDNUMSUB", channel], (r) => Number(r[1]));
  // user:N for the smallest N whose shard channel each master serves, plus a bystander on the first user's master
  // (same node, another channel: must not receive).
  async function pickUsers() {
    const picked = new Map();
    let bystander;
    for (let n = 1; n < 1000 && (picked.size < cluster.nodes.length || !bystander); n++) {
      const channel = `socket.io#/#user:${n}#`;
      const owner = await cluster.ownerOf(channel);
      const u = { id: String(n), room: `user:${n}`, channel, slot: await cluster.keySlot(channel), master: owner.port };
      if (!picked.has(owner.port)) picked.set(owner.port, u);
      else if (picked.size === cluster.nodes.length && owner.port === [...picked.keys()][0]) bystander = u;
    }
    assert.equal(picked.size, cluster.nodes.length, "a user on each master");
    assert.ok(bystander, "a bystander");
    return [...picked.values(), bystander];
  }


  // The servers are ready for an external publisher: sharded ones SSUBSCRIBEd the namespace's main channel (on its
  // master), classic ones SUBSCRIBEd the request channel (node-local: summed over the nodes; the pattern comes first
  // on the same connection), streams ones blocked in XREAD on the stream.
  async function waitServersReady(kind, count) {
    await waitFor(
      async () => {
        if (kind === "sharded") return (await sumShardNumSub("socket.io#/#")) >= count;
        if (kind === "classic") {
          return (await cluster.sumOverNodes(["PUBSUB", "NUMSUB", "socket.io-request#/#"], (r) => Number(r[1]))) >= count;
        }
        return (await cluster.sumOverNodes(["CLIENT", "LIST"], (l) => String(l).split("\n").filter((x) => / cmd=xread/.test(x)).length)) >= count;
      },
      { timeoutMs: 10000, intervalMs: 50, message: `${count} ${kind} servers ready on the cluster` },
    );
  }

  // Two servers; users[0] on A and B, users[1] on A, users[2] on B, the bystander on B.
  // `ackWith`: how the clients answer events sent with an ack (harness connect()). `gateway`: B is sio-gateway with
  // these flags (its --mode and --subscription-mode: notify's), on the same redis+cluster:// URL; `gateways`: A too.
  async function startFleet(name, env, { ackWith, gateway, gateways } = {}) {
    const a = gateways
      ? await h.startGateway({ args: gateway, waitSubscribed: false })
      : await h.startNodeServer(`${name}-A`, { env, waitSubscribed: false });
    const b = gateway
      ? await h.startGateway({ args: gateway, waitSubscribed: false })
      : await h.startNodeServer(`${name}-B`, { env, waitSubscribed: false });
    await waitServersReady(env.SIO_ADAPTER, 2);
    const sockets = new Map(users.map((u) => [u.id, []]));
    const add = async (u, server, label) => {
      const c = await h.connect(server.port, { userId: u.id, label: `${name}: user ${u.id} on ${label}`, ackWith });
      c.server = label;
      sockets.get(u.id).push(c);
    };
    await add(users[0], a, "A");
    await add(users[0], b, "B");
    await add(users[1], a, "A");
    await add(users[2], b, "B");
    await add(users[3], b, "B");
    const all = [...sockets.values()].flat();
    // Dynamic subscriptions follow the rooms: wait until each user's shard channel has one subscriber per server.
    if (env.SIO_ADAPTER === "sharded" && env.SIO_SUBSCRIPTION_MODE !== "static") {
      for (const u of users) {
        const servers = new Set(sockets.get(u.id).map((c) => c.server)).size;
        await waitFor(async () => (await sumShardNumSub(u.channel)) >= servers,
          { timeoutMs: 5000, intervalMs: 50, message: `${u.channel} subscribed on ${servers} servers` });
      }
    }
    return { name, a, b, sockets, all, stats: { sent: 0, expected: 0, received: 0 } };
  }

  async function stopFleet(f) {
    for (const c of f.all) c.socket.disconnect();
    await Promise.all([f.a.stop(), f.b.stop()]);
  }

  // Waits for `expected` to receive one `event` each, then checks nobody else got one; counts it in f.stats.
  async function expectOnly(f, m, expected, event, what) {
    if (expected.length) await h.waitReceived(m, expected, 1, what);
    await sleep(QUIET_MS);
    f.stats.sent++;
    f.stats.expected += expected.length;
    f.stats.received += f.all.reduce((n, c) => n + m.received(c).filter((r) => r.event === event).length, 0);
    h.only(m, expected, event, f.all);
  }

  // users: [{id, room, channel, slot, master: port}], one per master, then a bystander sharing users[0]'s master.
  const users = await pickUsers();
  console.log(`cluster masters ${cluster.nodes.map((n) => n.port).join(", ")}; notify and servers get ${cluster.url}; ` +
    `users: ${users.map((u) => `${u.id} (slot ${u.slot}, master ${u.master})`).join(", ")}`);
  return { cluster, users, sumShardNumSub, waitServersReady, startFleet, stopFleet, expectOnly };
}
