// sio-gateway through Redis Sentinel (redis+sentinel://, tests/interop/lib/redis-sentinel.mjs: a master, a replica, a
// sentinel), one gateway in each mode (classic, sharded, streams), each with a socket.io-client user: notify (also
// through the sentinel) reaches each; then a real failover (SENTINEL FAILOVER: the replica promoted, the old master
// demoted and its clients killed): each gateway asks the sentinels again, subscribes and reads on the new master
// (/healthz names it), and its user receives again, exactly once.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS } from "./harness.mjs";
import { startRedisSentinel } from "../../interop/lib/redis-sentinel.mjs";

const h = new Harness();
let sentinel;

before(async () => {
  sentinel = await startRedisSentinel();
  await h.start({ redis: sentinel });
});

after(() => h.close());

const MODES = [
  { name: "classic", flags: ["--mode", "classic"], user: "61" },
  { name: "sharded", flags: ["--mode", "sharded"], user: "62" },
  { name: "streams", flags: ["--mode", "streams"], user: "63" },
];

async function healthOn(g, port) {
  let health;
  await waitFor(async () => {
    health = await (await fetch(`${g.url}/healthz`)).json();
    return health.status === "ok" && health.nodes.length === 1 && health.nodes[0].node === `127.0.0.1:${port}`;
  }, { timeoutMs: 15000, intervalMs: 50, message: `${g.mode}: /healthz ok on 127.0.0.1:${port}` }).catch((e) => {
    throw new Error(`${e.message}: ${JSON.stringify(health)}`);
  });
  return health;
}

async function deliverOnce(fleet, what) {
  const m = h.mark();
  for (const f of fleet) await h.notify([...f.flags, "--user", f.user, "--type", `${what}_${f.name}`]);
  await h.waitReceived(m, fleet.map((f) => f.client), 1, `${what}: each mode's user`);
  await sleep(QUIET_MS);
  for (const f of fleet) {
    assert.deepEqual(m.received(f.client).map((e) => e.args[0].type), [`${what}_${f.name}`], `${f.name}: exactly its own, once`);
  }
}

test("sentinel: a gateway in each mode delivers through the sentinel's master, and again after a failover", async () => {
  const fleet = [];
  for (const mode of MODES) {
    const g = await h.startGateway({ args: mode.flags, waitSubscribed: false });
    g.mode = mode.name;
    await healthOn(g, sentinel.master.port);
    const client = await h.connect(g.port, { userId: mode.user, label: `${mode.name}: user ${mode.user}` });
    fleet.push({ ...mode, g, client });
  }
  try {
    await sleep(200);  // the sharded gateway subscribes its users' room channels as they join
    await deliverOnce(fleet, "BEFORE");
    const started = Date.now();
    await sentinel.failover();
    const failedOver = Date.now() - started;
    for (const f of fleet) await healthOn(f.g, sentinel.replica.port);
    const resubscribed = Date.now() - started;
    await deliverOnce(fleet, "AFTER");
    for (const f of fleet) assert.ok(f.client.socket.connected, `${f.name}: the client stayed connected`);
    h.checkGateways();
    console.log(`[sentinel] classic, sharded, streams: delivered before and after a failover (${failedOver} ms to demote the old ` +
      `master; every gateway on the new one ${resubscribed} ms after SENTINEL FAILOVER)`);
  } finally {
    for (const f of fleet) f.client.socket.disconnect();
    for (const f of fleet) await f.g.stop();
  }
});
