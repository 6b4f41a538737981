// Connection-holding cost: N concurrent websocket-only socket.io-client connections held by sio-gateway, then by
// a real Node Socket.IO 4.8.4 server (tests/interop/server.mjs, Redis adapter), in the same run on one private
// redis-server. Prints connections held, server RSS per connection for both, and the ratio. Run via
// bench/gateway-connections (which raises the open-files limit); see that script for the options.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { INTEROP_DIR, checkInstalled, load } from "../tests/interop/lib/packages.mjs";
import { startRedis, stopChild } from "../tests/interop/lib/redis-server.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const opts = { max: 5000, batch: 250, timeLimitS: 90, gateway: process.env.SIO_GATEWAY };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => process.argv[++i];
  if (a === "--max") opts.max = Number(next());
  else if (a === "--batch") opts.batch = Number(next());
  else if (a === "--time-limit") opts.timeLimitS = Number(next());
  else if (a === "--gateway") opts.gateway = next();
  else {
    console.error(`bench/gateway-connections: unknown option ${a}\nusage: bench/gateway-connections [--max N] [--batch B] [--time-limit SECONDS] [--gateway PATH]`);
    process.exit(2);
  }
}
if (!(opts.max > 0 && opts.batch > 0 && opts.timeLimitS > 0)) {
  console.error("bench/gateway-connections: --max, --batch and --time-limit must be positive numbers");
  process.exit(2);
}
opts.gateway ??= ["ci", "release", "dev"].map((d) => join(ROOT, "build", d, "gateway", "sio-gateway")).find(existsSync);
if (!opts.gateway || !existsSync(opts.gateway)) {
  console.error("bench/gateway-connections: no sio-gateway binary: build it (scripts/build) or pass --gateway PATH / SIO_GATEWAY");
  process.exit(2);
}
checkInstalled();
const ioClient = load("socket.io-client").io;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

// Spawns a server and resolves { child, port, tail(), exit } once `portOf(line)` finds its port in a stdout/stderr
// line; keeps the last lines of its output, and its exit status if it dies.
function startServer(cmd, args, stream, portOf) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const server = { child, port: undefined, exit: undefined, lines: [] };
    server.tail = () => server.lines.join("\n");
    const keep = (line) => {
      server.lines.push(line);
      if (server.lines.length > 15) server.lines.shift();
    };
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, "SIGKILL"); // only the child we started, by PID
      } catch {
        /* gone */
      }
      reject(new Error(`${cmd} did not start within 15 s:\n${server.tail()}`));
    }, 15000);
    const onLine = (line) => {
      keep(line);
      const port = server.port === undefined ? portOf(line) : undefined;
      if (port) {
        server.port = port;
        clearTimeout(timer);
        resolve(server);
      }
    };
    createInterface({ input: child.stdout }).on("line", stream === "stdout" ? onLine : keep);
    createInterface({ input: child.stderr }).on("line", stream === "stderr" ? onLine : keep);
    child.on("error", (e) => reject(e));
    child.on("exit", (code, signal) => {
      server.exit = { code, signal };
      reject(new Error(`${cmd} exited ${code ?? signal}:\n${server.tail()}`));
    });
  });
}

function connectOne(port, userId) {
  return new Promise((resolve) => {
    const socket = ioClient(`http://127.0.0.1:${port}`, {
      transports: ["websocket"],
      auth: { userId: String(userId) },
      forceNew: true,
      reconnection: false,
      timeout: 10000,
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", () => {
      socket.disconnect();
      resolve(undefined);
    });
  });
}

async function measure(name, server) {
  const { child, port } = server;
  await sleep(1000);
  const rssBefore = rssKiB(child.pid);
  const sockets = [];
  let failed = 0;
  const started = Date.now();
  const deadline = started + opts.timeLimitS * 1000;
  while (sockets.length < opts.max && Date.now() < deadline) {
    const n = Math.min(opts.batch, opts.max - sockets.length);
    const batch = await Promise.all(Array.from({ length: n }, (_, i) => connectOne(port, sockets.length + i)));
    for (const s of batch) (s ? sockets.push(s) : failed++);
    if (failed > Math.max(50, opts.max / 10)) break; // the server stopped accepting: report what it holds
  }
  const connectS = (Date.now() - started) / 1000;
  await sleep(2000); // let allocations settle
  const held = sockets.filter((s) => s.connected).length;
  if (server.exit) {
    for (const s of sockets) s.disconnect();
    console.log(`${name.padEnd(12)} DIED (exit ${server.exit.code}, signal ${server.exit.signal}) while ${sockets.length} ` +
      `connections were opened (${failed} failed); its last output:\n${server.tail()}`);
    return { held: 0, perConn: NaN };
  }
  const rssAfter = rssKiB(child.pid);
  for (const s of sockets) s.disconnect();
  await stopChild(child);
  await sleep(500);
  const perConn = held ? ((rssAfter - rssBefore) * 1024) / held : NaN;
  console.log(
    `${name.padEnd(12)} held ${String(held).padStart(5)} of ${opts.max} (failed ${failed}, ${connectS.toFixed(1)} s to open); ` +
      `RSS ${(rssBefore / 1024).toFixed(1)} MiB -> ${(rssAfter / 1024).toFixed(1)} MiB; ` +
      `${(perConn / 1024).toFixed(2)} KiB per connection`,
  );
  return { held, perConn, rssBefore, rssAfter };
}

const redis = await startRedis();
try {
  const gateway = await measure("sio-gateway", await startServer(opts.gateway,
    ["--redis", redis.url, "--port", "0", "--auth", "trusted"], "stderr",
    (line) => {
      try {
        const l = JSON.parse(line);
        return l.msg === "listening" ? l.port : undefined;
      } catch {
        return undefined;
      }
    }));
  const node = await measure("node", await startServer(process.execPath, [join(INTEROP_DIR, "server.mjs"), redis.url, "bench"], "stdout",
    (line) => {
      try {
        const l = JSON.parse(line);
        return l.ready ? l.port : undefined;
      } catch {
        return undefined;
      }
    }));
  console.log(`ratio: Node RSS per connection / sio-gateway RSS per connection = ${(node.perConn / gateway.perConn).toFixed(1)}x`);
} finally {
  await redis.stop();
}
process.exit(0);
