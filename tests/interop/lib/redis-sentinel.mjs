// A local Redis Sentinel deployment for the e2e suites (as tests/support/redis_sentinel.cpp for the C++ ones): a
// master, one replica of it and one sentinel monitoring them (quorum 1), each a redis-server child on a free loopback
// port, the sentinel's timers shortened (SENTINEL DEBUG) so that a failover takes about a second. Ready when the
// promise resolves: the replica in sync and promotable. stop() ends the three by PID.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRedis } from "./redis-server.mjs";
import { load } from "./packages.mjs";
import { waitFor } from "./proc.mjs";

export async function startRedisSentinel({ masterName = "mymaster" } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sio-sentinel-"));
  const started = [];
  const clients = [];
  const deployment = { masterName, dir };
  deployment.stop = async () => {
    await Promise.allSettled(clients.map((c) => c.disconnect()));
    // The sentinel first: it must not fail over while the servers stop.
    for (const s of [...started].reverse()) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const { createClient } = load("redis");
  const client = async (server) => {
    const c = createClient({ url: server.url });
    c.on("error", () => {});
    await c.connect();
    clients.push(c);
    return c;
  };
  const info = (text, key) => String(text).split("\r\n").find((l) => l.startsWith(`${key}:`))?.slice(key.length + 1);
  try {
    // Their files (a replica's RDB, a sentinel's rewritten config) in the deployment's own directory.
    const master = await startRedis({ args: ["--repl-diskless-sync-delay", "0", "--dir", dir] });
    started.push(master);
    const replica = await startRedis({ args: ["--repl-diskless-sync-delay", "0", "--dir", dir, "--replicaof", "127.0.0.1", String(master.port)] });
    started.push(replica);
    const replicaClient = await client(replica);
    await waitFor(async () => info(await replicaClient.sendCommand(["INFO", "replication"]), "master_link_status") === "up",
      { timeoutMs: 10000, intervalMs: 20, message: "the replica in sync with the master" });
    const config = join(dir, "sentinel.conf");
    writeFileSync(config, [
      `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 5000`,
      `sentinel known-replica ${masterName} 127.0.0.1 ${replica.port}`,
      "",
    ].join("\n"));
    const sentinel = await startRedis({ configFile: config, args: ["--sentinel", "--dir", dir] });
    started.push(sentinel);
    const sentinelClient = await client(sentinel);
    await sentinelClient.sendCommand(["SENTINEL", "DEBUG", "INFO-PERIOD", "100", "PING-PERIOD", "100", "ASK-PERIOD", "100", "PUBLISH-PERIOD", "200"]);
    // Promotable: the sentinel sees the replica, linked, with a fresh INFO.
    await waitFor(async () => {
      const flat = await sentinelClient.sendCommand(["SENTINEL", "REPLICAS", masterName]);
      const fields = Object.fromEntries((flat[0] ?? []).reduce((acc, v, i, a) => (i % 2 ? acc : [...acc, [String(v), String(a[i + 1])]]), []));
      return fields.port === String(replica.port) && fields.flags === "slave" && fields["master-link-status"] === "ok" &&
        Number(fields["info-refresh"]) < 300;
    }, { timeoutMs: 10000, intervalMs: 20, message: "the sentinel seeing a promotable replica" });
    Object.assign(deployment, { master, replica, sentinel });
    deployment.url = `redis+sentinel://127.0.0.1:${sentinel.port}/${masterName}`;
    deployment.nodes = [master];  // where a harness' admin client goes
    deployment.masterPort = async () => Number((await sentinelClient.sendCommand(["SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName]))[1]);
    // SENTINEL FAILOVER (asked again while the replica's INFO is a moment too old: NOGOODSLAVE), then until the
    // sentinel names the replica and the old master says it is a replica (its clients killed).
    deployment.failover = async () => {
      await waitFor(async () => {
        try {
          return String(await sentinelClient.sendCommand(["SENTINEL", "FAILOVER", masterName])) === "OK";
        } catch (e) {
          if (!String(e.message).includes("NOGOODSLAVE")) throw e;
          return false;
        }
      }, { timeoutMs: 5000, intervalMs: 50, message: "SENTINEL FAILOVER accepted" });
      await waitFor(async () => (await deployment.masterPort()) === replica.port,
        { timeoutMs: 10000, intervalMs: 20, message: `the sentinel naming ${replica.port}` });
      const oldMaster = await client(master);
      await waitFor(async () => {
        try {
          return String((await oldMaster.sendCommand(["ROLE"]))[0]) === "slave";
        } catch {
          return false;
        }
      }, { timeoutMs: 15000, intervalMs: 20, message: "the old master demoted" });
    };
  } catch (e) {
    await deployment.stop();
    throw e;
  }
  return deployment;
}
