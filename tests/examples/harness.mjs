// What every example test needs: a real redis-server, one real Socket.IO server on the Redis adapter
// (tests/interop/server.mjs) and real socket.io-client clients, all started here and stopped by PID.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { INTEROP_DIR, checkInstalled, load } from "../interop/lib/packages.mjs";
import { startRedis, stopChild, freePort } from "../interop/lib/redis-server.mjs";
import { waitFor } from "../interop/lib/proc.mjs";
import { connectUser } from "../interop/lib/clients.mjs";

export { run, binaryFromEnv, waitFor } from "../interop/lib/proc.mjs";
export { freePort };

export const REPO_DIR = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const EXAMPLES_DIR = join(REPO_DIR, "examples");
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const QUIET_MS = 300; // how long "nothing else arrives" is watched after the expected deliveries

// An environment for the programs under test without the caller's Redis settings leaking in.
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  delete env.REDIS_URL;
  delete env.SIO_KEY;
  return { ...env, ...extra };
}

// Starts redis-server + one Socket.IO server and waits until its adapter is subscribed for "/" and "/admin".
export async function startStack() {
  checkInstalled();
  const { createClient } = load("redis");
  const redis = await startRedis();
  const stack = { redis, server: undefined, clients: [], admin: undefined };

  stack.stop = async () => {
    for (const c of stack.clients) c.socket.disconnect();
    if (stack.server) await stopChild(stack.server.child);
    if (stack.admin) await stack.admin.disconnect().catch(() => {});
    await redis.stop();
  };

  try {
    const child = spawn(process.execPath, [join(INTEROP_DIR, "server.mjs"), redis.url, "S"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = { child, port: undefined, lines: [], stderr: "" };
    stack.server = server;
    child.stderr.on("data", (d) => (server.stderr += d));
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        server.lines.push(JSON.parse(line));
      } catch {
        server.lines.push({ raw: line });
      }
    });
    await waitFor(() => server.lines.some((l) => l.ready) || child.exitCode !== null, {
      timeoutMs: 10000,
      message: "the Socket.IO server to listen",
    });
    if (child.exitCode !== null) throw new Error(`server.mjs exited ${child.exitCode}:\n${server.stderr}`);
    server.port = server.lines.find((l) => l.ready).port;

    // The adapter PSUBSCRIBEs before it SUBSCRIBEs on the same connection: NUMSUB = 1 means both are in place.
    stack.admin = createClient({ url: redis.url });
    stack.admin.on("error", () => {});
    await stack.admin.connect();
    const channels = ["socket.io-request#/#", "socket.io-request#/admin#"];
    const deadline = Date.now() + 10000;
    for (;;) {
      const counts = await stack.admin.pubSubNumSub(channels);
      if (channels.every((c) => counts[c] === 1)) break;
      if (Date.now() > deadline) throw new Error(`adapter not subscribed: ${JSON.stringify(counts)}`);
      await sleep(20);
    }
  } catch (e) {
    await stack.stop();
    throw e;
  }

  // A socket.io-client socket as user `userId`; the server joins it to room "user:<userId>".
  stack.connectClient = async (userId, nsp = "/") => {
    const c = await connectUser(stack.server.port, userId, { nsp });
    stack.clients.push(c);
    return c;
  };

  // What each client received since this mark.
  stack.mark = () => {
    const at = new Map(stack.clients.map((c) => [c, { r: c.received.length, d: c.disconnects.length }]));
    return {
      received: (c) => c.received.slice(at.get(c)?.r ?? 0),
      disconnects: (c) => c.disconnects.slice(at.get(c)?.d ?? 0),
    };
  };

  // The server's log lines (serverSideEmit, connection, disconnect) since this mark.
  stack.serverMark = () => {
    const at = stack.server.lines.length;
    return () => stack.server.lines.slice(at);
  };

  return stack;
}

// The notification shape of the examples: {type, payload, timestamp}, keys in that order, a recent integer time.
export function checkNotification(assert, got, { type, payload, since, until }) {
  assert.deepEqual(Object.keys(got), ["type", "payload", "timestamp"], JSON.stringify(got));
  assert.equal(got.type, type);
  assert.deepEqual(got.payload, payload);
  assert.ok(Number.isInteger(got.timestamp), `timestamp ${got.timestamp} is not an integer`);
  assert.ok(got.timestamp >= since - 1000 && got.timestamp <= until + 1000,
    `timestamp ${got.timestamp} not within [${since}, ${until}]`);
}
