// Fan-out cost of sio-gateway against a real Node Socket.IO 4.8.4 server (tests/interop/server.mjs, Redis adapter),
// in one run on one private redis-server, each server measured alone, beside the kernel's floor. The clients are
// native (sio-bench-eio-clients: Engine.IO v4 / Socket.IO over Boost.Beast websockets, user <i> in `user:<i>`), the
// publisher the real @socket.io/redis-emitter 5.1.0 (classic adapter, key "socket.io") in this process, and each
// payload carries its publish time (process.hrtime.bigint(): CLOCK_MONOTONIC ns, as the clients read it).
//   1. RSS of the server with N connections (/proc/<pid>/status VmRSS), and per connection above the idle process
//   2. targeted: R notifications/s for D s, the k-th to `user:<k % N>`: server CPU per notification
//      (utime+stime of /proc/<pid>/stat over the phase), publish-to-client latency p50/p99/p99.9. The publisher
//      wakes every --tick ms (default 1) and publishes what is due: at 1000/s one notification per wake-up, so each
//      reaches an idle server on its own (its wake-up included); --tick 10 publishes them 10 at a time, which
//      roughly halves the gateway's CPU per notification.
//   3. single broadcasts: B io.emit()s, each once the previous one reached every client: CPU per delivery,
//      deliveries/s (N / publish-to-last-delivery)
//   4. bursts: K bursts of 20 broadcasts published back-to-back: CPU per delivery, deliveries/s
//   5. the floor: sio-bench-raw-send-floor, one send() of the broadcast's frame per loopback socket (and 20 frames
//      in one send()), the sending thread's CPU per send
// Every notification must reach exactly its user and every broadcast every client: anything lost, refused, dropped,
// duplicated or misrouted, or a server that dies, fails the run (exit 1, naming what). Run via bench/gateway-fanout
// (which raises the open-files limit); see that script for the options.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { checkInstalled, load } from "../tests/interop/lib/packages.mjs";
import { startRedis, stopChild } from "../tests/interop/lib/redis-server.mjs";
import { startGateway, startNode } from "./lib/servers.mjs";

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const USAGE = "usage: bench/gateway-fanout [--clients N (10000)] [--rate R (1000)] [--seconds D (10)] [--broadcasts B (20)]\n" +
  "                          [--bursts K (5)] [--tick MS (1)] [--connect-time-limit SECONDS (120)] [--gateway PATH]\n" +
  "                          [--bin-dir DIR] " +
"[--smoke] [--json]";
const DEFAULTS = { clients: 10000, rate: 1000, seconds: 10, broadcasts: 20, bursts: 5, connectTimeLimit: 120, idleSeconds: 3, tickMs: 1 };
const SMOKE = { clients: 200, rate: 200, seconds: 2, broadcasts: 5, bursts: 3, connectTimeLimit: 60, idleSeconds: 1, tickMs: 1 };
const BURST_SIZE = 20;
const FLOOR_PAIRS_CAP = 9000; // each pair is two descriptors in the floor's one process (limit 20000 here)

class BenchError extends Error {}
const fail = (msg) => {
  throw new BenchError(msg);
};

const given = {};
let smoke = false;
let json = false;
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const next = () => {
    if (i + 1 >= process.argv.length) {
      console.error(`bench/gateway-fanout: ${a} wants a value\n${USAGE}`);
      process.exit(2);
    }
    return process.argv[++i];
  };
  if (a === "--clients") given.clients = Number(next());
  else if (a === "--rate") given.rate = Number(next());
  else if (a === "--seconds") given.seconds = Number(next());
  else if (a === "--broadcasts") given.broadcasts = Number(next());
  else if (a === "--bursts") given.bursts = Number(next());
  else if (a === "--tick") given.tickMs = Number(next());
  else if (a === "--connect-time-limit") given.connectTimeLimit = Number(next());
  else if (a === "--gateway") given.gateway = next();
  else if (a === "--bin-dir") given.binDir = next();
  else if (a === "--smoke") smoke = true;
  else if (a === "--json") json = true;
  else if (a === "--help" || a === "-h") {
    console.log(USAGE);
    process.exit(0);
  } else {
    console.error(`bench/gateway-fanout: unknown option ${a}\n${USAGE}`);
    process.exit(2);
  }
}
const opts = { ...(smoke ? SMOKE : DEFAULTS), gateway: process.env.SIO_GATEWAY, ...given };
for (const k of ["clients", "rate", "broadcasts", "bursts"]) {
  if (!(Number.isInteger(opts[k]) && opts[k] > 0)) {
    console.error(`bench/gateway-fanout: --${k} wants a whole number > 0\n${USAGE}`);
    process.exit(2);
  }
}
for (const [k, flag] of [["seconds", "--seconds"], ["connectTimeLimit", "--connect-time-limit"], ["tickMs", "--tick"]]) {
  if (!(opts[k] > 0)) {
    console.error(`bench/gateway-fanout: ${flag} wants a number > 0`);
    process.exit(2);
  }
}
opts.gateway ??= ["ci", "release", "dev"].map((d) => join(ROOT, "build", d, "gateway", "sio-gateway")).find(existsSync);
if (!opts.gateway || !existsSync(opts.gateway)) {
  console.error("bench/gateway-fanout: no sio-gateway binary: build it (scripts/build) or pass --gateway PATH / SIO_GATEWAY");
  process.exit(2);
}
opts.binDir ??= join(dirname(dirname(opts.gateway)), "bench");
const CLIENTS_BIN = join(opts.binDir, "sio-bench-eio-clients");
const FLOOR_BIN = join(opts.binDir, "sio-bench-raw-send-floor");
for (const bin of [CLIENTS_BIN, FLOOR_BIN]) {
  if (!existsSync(bin)) {
    console.error(`bench/gateway-fanout: no ${bin}: build it (cmake --build <build dir> --target sio-bench-eio-clients ` +
      "sio-bench-raw-send-floor) or pass --bin-dir DIR");
    process.exit(2);
  }
}
checkInstalled();
const { Emitter } = load("@socket.io/redis-emitter");
const { createClient } = load("redis");

const N = opts.clients;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => process.hrtime.bigint(); // CLOCK_MONOTONIC ns on Linux, as the clients read it
const log = (line) => (json ? console.error(line) : console.log(line));

// Every child we start, so that a failure stops them all (each by its own PID).
const children = new Set();
function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}
async function stopAll() {
  await Promise.all([...children].map((c) => stopChild(c)));
}

// The server being measured, so that a failure can say that it died.
let current;

// /proc/<pid>/<file> of the server; a server that is gone fails the run, saying so.
function procFile(pid, file) {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch (e) {
    if (current?.server.child.pid === pid) checkAlive(current.name, current.server);
    fail(`${current?.name ?? "the server"} (pid ${pid}) is gone: ${e.message}`);
  }
}

function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(procFile(pid, "status"));
  if (!m) fail(`no VmRSS in /proc/${pid}/status`);
  return Number(m[1]);
}

// utime + stime of every thread of the process, in seconds (USER_HZ: 100 on Linux).
function cpuSeconds(pid) {
  const stat = procFile(pid, "stat");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function descriptorLimit() {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
  return !m || m[1] === "unlimited" ? Infinity : Number(m[1]);
}

const jsonLine = (line) => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

// sio-bench-eio-clients, driven over stdin/stdout one JSON line at a time.
function startClients(name, port) {
  const child = track(spawn(CLIENTS_BIN, ["--port", String(port), "--clients", String(N),
    "--time-limit", String(opts.connectTimeLimit)], { stdio: ["pipe", "pipe", "pipe"] }));
  const waiters = new Set();
  const completes = new Map();
  let stderr = "";
  let exited;
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  child.stdin.on("error", () => {}); // an exit is reported below
  createInterface({ input: child.stdout }).on("line", (line) => {
    const msg = jsonLine(line);
    if (!msg) return;
    if (msg.complete !== undefined) completes.set(msg.complete, msg);
    for (const w of waiters) {
      if (w.pred(msg)) {
        waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(msg);
        break;
      }
    }
  });
  child.on("exit", (code, signal) => {
    exited = `the clients process (sio-bench-eio-clients) exited ${code ?? signal}: ${stderr}`;
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(new BenchError(`${name}: ${exited}`));
    }
    waiters.clear();
  });
  const wait = (pred, timeoutMs, what) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new BenchError(`${name}: ${exited}`));
      const w = { pred, resolve, reject };
      w.timer = setTimeout(() => {
        waiters.delete(w);
        reject(new BenchError(`${name}: timed out after ${timeoutMs / 1000} s waiting for ${what}`));
      }, timeoutMs);
      waiters.add(w);
    });
  const command = (cmd, pred, timeoutMs = 10000) => {
    const p = wait(pred, timeoutMs, `the clients' answer to "${cmd}"`);
    child.stdin.write(cmd + "\n");
    return p;
  };
  const complete = (b, timeoutMs, what) =>
    completes.has(b) ? Promise.resolve(completes.get(b)) : wait((m) => m.complete === b, timeoutMs, what);
  return { child, wait, command, complete };
}

function checkAlive(name, server) {
  if (server.exit) {
    fail(`${name} DIED (exit ${server.exit.code}, signal ${server.exit.signal}); its last output:\n${server.tail()}`);
  }
}

function checkNothingLost(name, phase, rep) {
  const problems = [];
  if (rep.missing) problems.push(`${rep.missing} of ${rep.expected} deliveries missing (${rep.missing_sample.join("; ")})`);
  if (rep.extra) problems.push(`${rep.extra} unexpected extra deliveries`);
  if (rep.wrong_user) problems.push(`${rep.wrong_user} notifications reached the wrong user`);
  if (rep.out_of_order) problems.push(`${rep.out_of_order} deliveries out of sequence (after a gap, duplicated or reordered)`);
  if (rep.closed) problems.push(`${rep.closed} connections dropped by the server (${JSON.stringify(rep.close_reasons)})`);
  if (rep.unknown) problems.push(`${rep.unknown} unexpected messages`);
  if (problems.length) fail(`${name}, ${phase}: ${problems.join("; ")}`);
}

async function measure(name, server, emitter) {
  const { pid } = server.child;
  const r = { name };
  current = { name, server };
  await sleep(1000);
  r.rssIdleKiB = rssKiB(pid);

  // 1. N connections
  const clients = startClients(name, server.port);
  const conn = await clients.wait((m) => m.connected !== undefined, (opts.connectTimeLimit + 15) * 1000,
    `${N} client connections`);
  checkAlive(name, server);
  if (conn.connected < N) {
    fail(`${name}: only ${conn.connected} of ${N} clients connected (${conn.failed} refused or failed` +
      `${conn.timed_out ? `, the rest not within --connect-time-limit ${opts.connectTimeLimit} s` : ""}): ` +
      JSON.stringify(conn.errors));
  }
  r.connectSeconds = conn.seconds;
  await sleep(2000); // let allocations settle
  checkAlive(name, server);
  r.rssKiB = rssKiB(pid);
  r.rssPerConnKiB = (r.rssKiB - r.rssIdleKiB) / N;
  const c0 = cpuSeconds(pid);
  await sleep(opts.idleSeconds * 1000);
  r.idleCpuPercent = ((cpuSeconds(pid) - c0) / opts.idleSeconds) * 100;

  // 2. targeted notifications, paced at R/s
  await clients.command("reset", (m) => m.reset);
  const total = Math.round(opts.rate * opts.seconds);
  let cpu0 = cpuSeconds(pid);
  const start = now();
  const clientCpu = () => cpuSeconds(clients.child.pid);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((Number(now() - start) / 1e9) * opts.rate) + 1);
    for (; sent < due; sent++) {
      emitter.to(`user:${sent % N}`).emit("notification", { u: sent % N, s: sent, t: String(now()) });
    }
    await sleep(opts.tickMs);
  }
  const publishSeconds = Number(now() - start) / 1e9;
  const drainDeadline = Date.now() + 15000;
  for (;;) {
    const { count } = await clients.command("count", (m) => m.count);
    if (count.targeted >= total || count.closed > 0 || Date.now() > drainDeadline || server.exit) break;
    await sleep(20);
  }
  r.targetedCpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / total;
  checkAlive(name, server);
  const tr = (await clients.command(`targeted ${total}`, (m) => m.targeted)).targeted;
  checkNothingLost(name, `targeted notifications (${total} at ${opts.rate}/s)`, tr);
  Object.assign(r, { targeted: total, publishSeconds, p50: tr.p50_ms, p99: tr.p99_ms, p999: tr.p999_ms, max: tr.max_ms });

  // 3. single broadcasts, each once the previous one reached every client
  await clients.command("reset", (m) => m.reset);
  let b = 0;
  let busyNs = 0n;
  cpu0 = cpuSeconds(pid);
  for (let i = 0; i < opts.broadcasts; i++, b++) {
    const t = now();
    emitter.emit("notification", { b, t: String(t) });
    r.broadcastText = `42${JSON.stringify(["notification", { b, t: String(t) }])}`;
    const done = await clients.complete(b, 15000, `broadcast ${b} to reach all ${N} clients`);
    busyNs += BigInt(done.last) - t;
  }
  r.singleCpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / (opts.broadcasts * N);
  r.singlePerS = (opts.broadcasts * N) / (Number(busyNs) / 1e9);

  // 4. bursts of 20 broadcasts published back-to-back (node-redis pipelines them)
  busyNs = 0n;
  cpu0 = cpuSeconds(pid);
  const clientCpu0 = clientCpu();
  const wall0 = now();
  for (let k = 0; k < opts.bursts; k++) {
    const t = now();
    for (let j = 0; j < BURST_SIZE; j++, b++) emitter.emit("notification", { b, t: String(now()) });
    const done = await clients.complete(b - 1, 60000, `burst ${k} (broadcasts up to ${b - 1}) to reach all ${N} clients`);
    busyNs += BigInt(done.last) - t;
  }
  r.burstCpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / (opts.bursts * BURST_SIZE * N);
  r.burstPerS = (opts.bursts * BURST_SIZE * N) / (Number(busyNs) / 1e9);
  // Not the measured side: how busy the clients' one thread was, to show it kept up.
  r.burstServerCpuPercent = ((cpuSeconds(pid) - cpu0) / (Number(now() - wall0) / 1e9)) * 100;
  r.burstClientsCpuPercent = ((clientCpu() - clientCpu0) / (Number(now() - wall0) / 1e9)) * 100;
  checkAlive(name, server);
  const br = (await clients.command(`broadcasts ${b}`, (m) => m.broadcasts)).broadcasts;
  checkNothingLost(name, `broadcasts (${opts.broadcasts} single, ${opts.bursts} bursts of ${BURST_SIZE})`, br);

  clients.child.stdin.end("quit\n");
  await stopChild(clients.child);
  await stopChild(server.child);
  log(`${name.padEnd(12)} ${N} clients connected in ${r.connectSeconds.toFixed(1)} s; RSS ${(r.rssIdleKiB / 1024).toFixed(1)} -> ` +
    `${(r.rssKiB / 1024).toFixed(1)} MiB; targeted ${total} in ${publishSeconds.toFixed(1)} s, all delivered; ` +
    `${opts.broadcasts + opts.bursts * BURST_SIZE} broadcasts x ${N}, all delivered`);
  return r;
}

function runFloor(pairs, payload) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(FLOOR_BIN, ["--pairs", String(pairs), "--payload", payload, "--rounds", smoke ? "3" : "5",
      "--burst", String(BURST_SIZE), "--burst-rounds", "3"], { stdio: ["ignore", "pipe", "pipe"] }));
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => stopChild(child, 1000), 120000);
    child.on("error", (e) => reject(new BenchError(`cannot run ${FLOOR_BIN}: ${e.message}`)));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      const res = jsonLine(out.trim());
      if (code !== 0 || !res) reject(new BenchError(`sio-bench-raw-send-floor exited ${code ?? signal}: ${err}${out}`));
      else resolve(res);
    });
  });
}

const fmt = (v, digits = 1) => (v === undefined || v === null || !Number.isFinite(v) ? "-" : v.toFixed(digits));
const fmtInt = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "-");
const ratio = (node, gw) => (Number.isFinite(node) && Number.isFinite(gw) && gw > 0 ? `${(node / gw).toFixed(2)}x` : "-");

function table(g, n, floor) {
  const rows = [
    ["RSS idle (MiB)", fmt(g.rssIdleKiB / 1024), fmt(n.rssIdleKiB / 1024), ratio(n.rssIdleKiB, g.rssIdleKiB), ""],
    [`RSS with ${N} connections (MiB)`, fmt(g.rssKiB / 1024), fmt(n.rssKiB / 1024), ratio(n.rssKiB, g.rssKiB), ""],
    ["RSS per connection, above idle (KiB)", fmt(g.rssPerConnKiB, 2), fmt(n.rssPerConnKiB, 2), ratio(n.rssPerConnKiB, g.rssPerConnKiB), ""],
    [`idle CPU with ${N} connections (% of a core: pings)`, fmt(g.idleCpuPercent, 2), fmt(n.idleCpuPercent, 2), ratio(n.idleCpuPercent, g.idleCpuPercent), ""],
    [`targeted ${opts.rate}/s: CPU per notification (µs)`, fmt(g.targetedCpuUs), fmt(n.targetedCpuUs), ratio(n.targetedCpuUs, g.targetedCpuUs), ""],
    ["targeted: latency p50 (ms)", fmt(g.p50, 2), fmt(n.p50, 2), ratio(n.p50, g.p50), ""],
    ["targeted: latency p99 (ms)", fmt(g.p99, 2), fmt(n.p99, 2), ratio(n.p99, g.p99), ""],
    ["targeted: latency p99.9 (ms)", fmt(g.p999, 2), fmt(n.p999, 2), ratio(n.p999, g.p999), ""],
    ["single broadcasts: CPU per delivery (µs)", fmt(g.singleCpuUs, 2), fmt(n.singleCpuUs, 2), ratio(n.singleCpuUs, g.singleCpuUs),
      `${fmt(floor.single_cpu_ns_per_send / 1000, 2)} per send`],
    ["single broadcasts: deliveries/s", fmtInt(g.singlePerS), fmtInt(n.singlePerS), ratio(g.singlePerS, n.singlePerS) + " (gw/Node)",
      `${fmtInt(floor.single_sends_per_s)} sends/s`],
    [`bursts of ${BURST_SIZE}: CPU per delivery (µs)`, fmt(g.burstCpuUs, 2), fmt(n.burstCpuUs, 2), ratio(n.burstCpuUs, g.burstCpuUs),
      `${fmt(floor.burst_cpu_ns_per_frame / 1000, 2)} per frame (${BURST_SIZE} in one send)`],
    [`bursts of ${BURST_SIZE}: deliveries/s`, fmtInt(g.burstPerS), fmtInt(n.burstPerS), ratio(g.burstPerS, n.burstPerS) + " (gw/Node)",
      `${fmtInt(floor.burst_frames_per_s)} frames/s`],
    [`bursts: server CPU (% of a core)`, fmt(g.burstServerCpuPercent, 0), fmt(n.burstServerCpuPercent, 0), "", ""],
    [`bursts: clients' process CPU (% of a core; not measured)`, fmt(g.burstClientsCpuPercent, 0), fmt(n.burstClientsCpuPercent, 0), "", ""],
  ];
  const head = ["figure", "sio-gateway", "Node", "ratio (Node/gateway)", "floor"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|")}|`,
    ...rows.map(line)].join("\n");
}

let redis;
let pub;
const onSignal = async () => {
  await stopAll();
  if (redis) await redis.stop();
  process.exit(130);
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

try {
  redis = await startRedis();
  track(redis.child);
  pub = createClient({ url: redis.url });
  pub.on("error", (e) => console.error(`bench/gateway-fanout: publisher's redis client: ${e.message}`));
  await pub.connect();
  const emitter = new Emitter(pub); // key "socket.io", namespace "/"
  log(`bench/gateway-fanout: ${N} clients; targeted ${opts.rate}/s for ${opts.seconds} s (a wake-up every ${opts.tickMs} ms); ${opts.broadcasts} single broadcasts; ` +
    `${opts.bursts} bursts of ${BURST_SIZE}; redis ${redis.url}; gateway ${opts.gateway}`);

  // Each server with what it would be started with (bench/lib/servers.mjs: the gateway's default flags).
  const started = (promise) => promise.catch((e) => fail(e.message));
  const gatewayServer = await started(startGateway(opts.gateway, redis.url, 0, { onChild: track }));
  const gateway = await measure("sio-gateway", gatewayServer, emitter);
  const nodeServer = await started(startNode(redis.url, 0, { onChild: track }));
  const node = await measure("node", nodeServer, emitter);

  const fdCap = Math.floor((descriptorLimit() - 200) / 2);
  const pairs = Math.min(N, FLOOR_PAIRS_CAP, fdCap);
  const floor = await runFloor(pairs, gateway.broadcastText);
  log(`floor        ${pairs} loopback TCP pairs${pairs < N ? ` (capped from ${N}: two descriptors each in one process)` : ""}; ` +
    `frame ${floor.frame_bytes} bytes: 0x81, length, ${gateway.broadcastText}`);
  log("");
  log(table(gateway, node, floor));
  log("");
  log(`gateway CPU per delivery / floor: single broadcasts ${(gateway.singleCpuUs / (floor.single_cpu_ns_per_send / 1000)).toFixed(2)}x, ` +
    `bursts ${(gateway.burstCpuUs / (floor.burst_cpu_ns_per_frame / 1000)).toFixed(2)}x ` +
    `(Node: ${(node.singleCpuUs / (floor.single_cpu_ns_per_send / 1000)).toFixed(2)}x, ` +
    `${(node.burstCpuUs / (floor.burst_cpu_ns_per_frame / 1000)).toFixed(2)}x)`);
  log("CPU: utime+stime of the server process over each phase (every thread), idle pings included; latency: " +
    "publish (process.hrtime.bigint()) to the client's read (CLOCK_MONOTONIC).");
  if (json) {
    const strip = ({ broadcastText, ...rest }) => rest;
    console.log(JSON.stringify({ clients: N, rate: opts.rate, seconds: opts.seconds, broadcasts: opts.broadcasts,
      bursts: opts.bursts, burst_size: BURST_SIZE, tick_ms: opts.tickMs, gateway: strip(gateway), node: strip(node), floor }));
  }
  await pub.quit();
  await redis.stop();
  process.exit(0);
} catch (e) {
  let msg = e instanceof BenchError ? e.message : e.stack;
  if (current?.server.exit && !msg.includes("DIED")) {
    const { code, signal } = current.server.exit;
    msg = `${current.name} DIED (exit ${code}, signal ${signal}); its last output:\n${current.server.tail()}\n(then: ${msg})`;
  }
  console.error(`bench/gateway-fanout: FAILED: ${msg}`);
  pub?.disconnect().catch(() => {});
  await stopAll();
  process.exit(1);
}
