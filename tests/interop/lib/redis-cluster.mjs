// A real Redis Cluster of N masters (no replicas) on free loopback ports, for one test file: N `redis-server
// --cluster-enabled yes` children, each in its own temporary directory (nodes.conf), joined with `redis-cli
// --cluster create`, ready once every node says cluster_state:ok. stop() stops them by their PIDs and removes the
// directories.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, redisPing, stopChild } from "./redis-server.mjs";
import { run, waitFor } from "./proc.mjs";
import { load } from "./packages.mjs";

const REDIS_SERVER = process.env.SIO_REDIS_SERVER ?? "redis-server";
const REDIS_CLI = process.env.SIO_REDIS_CLI ?? "redis-cli";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One cluster-enabled redis-server on a free port (3 attempts, as startRedis); resolves once it answers PING.
async function startNode(dir, startTimeoutMs) {
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const busPort = await freePort();
    const child = spawn(REDIS_SERVER, [
      "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no",
      "--loglevel", "warning", "--cluster-enabled", "yes", "--cluster-port", String(busPort),
      "--cluster-config-file", `nodes-${port}.conf`, "--cluster-node-timeout", "2000",
    ], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    let spawnError;
    child.on("error", (e) => (spawnError = e));
    const deadline = Date.now() + startTimeoutMs;
    while (child.exitCode === null && !spawnError && Date.now() < deadline) {
      if (await redisPing(port, 500)) return { port, busPort, pid: child.pid, child, url: `redis://127.0.0.1:${port}` };
      await sleep(50);
    }
    if (spawnError) throw new Error(`cannot start ${REDIS_SERVER}: ${spawnError.message}`);
    if (child.exitCode === null) {
      await stopChild(child);
      throw new Error(`cluster node on port ${port} did not answer PING within ${startTimeoutMs} ms\n${output}`);
    }
    lastError = new Error(`cluster node on port ${port} exited early (code ${child.exitCode})\n${output}`);  // port taken meanwhile
  }
  throw lastError;
}

// Starts the cluster. The handle: `nodes` ({port, pid, url, client: a node-redis client of that node alone}),
// `url` (redis+cluster:// with the first `seedCount` nodes as seeds, as notify and tests/interop/server.mjs take it),
// keySlot(key), ownerOf(key) (the node serving that key's slot, from CLUSTER SLOTS), sumOverNodes(command, parse)
// and stop().
export async function startRedisCluster({ masters = 3, seedCount = 2, startTimeoutMs = 15000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sio-redis-cluster-"));
  const nodes = [];
  const cluster = { dir, nodes };
  cluster.stop = async () => {
    await Promise.allSettled(nodes.map((n) => n.client?.disconnect()));
    await Promise.allSettled(nodes.map((n) => stopChild(n.child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startNode(dir, startTimeoutMs));
    const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
    const create = await run(REDIS_CLI, ["--cluster", "create", ...addrs, "--cluster-replicas", "0", "--cluster-yes"],
      { timeoutMs: startTimeoutMs });
    if (create.code !== 0) {
      throw new Error(`redis-cli --cluster create ${addrs.join(" ")} exited ${create.code}:\n${create.stdout}${create.stderr}`);
    }
    const { createClient } = load("redis");
    for (const n of nodes) {
      n.client = createClient({ url: n.url });
      n.client.on("error", () => {});
      await n.client.connect();
    }
    // Every node must see every slot served (redis-cli returns once the slots are assigned; gossip follows).
    const infos = new Map();
    const ok = async () => {
      for (const n of nodes) infos.set(n.port, String(await n.client.sendCommand(["CLUSTER", "INFO"])));
      return [...infos.values()].every((i) => i.includes("cluster_state:ok"));
    };
    try {
      await waitFor(ok, { timeoutMs: startTimeoutMs, intervalMs: 50, message: "cluster_state:ok on every node" });
    } catch (e) {
      throw new Error(`${e.message}\n${[...infos].map(([p, i]) => `${p}: ${i.split("\r\n").slice(0, 3).join(" ")}`).join("\n")}`);
    }
    // The slot map as the nodes serve it (the same on each once ok; node 0's is used).
    const slots = await nodes[0].client.sendCommand(["CLUSTER", "SLOTS"]);
    cluster.ranges = slots.map(([from, to, [, port]]) => ({ from: Number(from), to: Number(to), port: Number(port) }));
    const served = new Set(cluster.ranges.map((r) => r.port));
    if (served.size !== masters) throw new Error(`CLUSTER SLOTS names ${served.size} masters, expected ${masters}`);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  cluster.url = `redis+cluster://${nodes.slice(0, seedCount).map((n) => `127.0.0.1:${n.port}`).join(",")}`;
  cluster.keySlot = async (key) => Number(await nodes[0].client.sendCommand(["CLUSTER", "KEYSLOT", key]));
  cluster.ownerOf = async (key) => {
    const slot = await cluster.keySlot(key);
    const range = cluster.ranges.find((r) => slot >= r.from && slot <= r.to);
    return nodes.find((n) => n.port === range.port);
  };
  // A per-node command's answers, parsed and added up (PUBSUB NUMSUB and the like count one node's clients).
  cluster.sumOverNodes = async (command, parse = Number) => {
    const each = await Promise.all(nodes.map((n) => n.client.sendCommand(command)));
    return each.map(parse).reduce((a, b) => a + b, 0);
  };
  return cluster;
}
