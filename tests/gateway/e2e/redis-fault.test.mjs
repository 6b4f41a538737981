// Redis fault with sio-gateway as the subscriber: Redis is SIGKILLed (by PID) ~0.7 s into 100,000 paced emits from
// the C++ library (sio-e2e-fault-emitter, SIO_FAULT_EMITTER: one sio::Completion per emit) and restarted on the same
// port 0.4 s later. Two socket.io-client users of user 42 (websocket-only, and polling upgraded to websocket) stay
// connected to one gateway throughout. Every emit ends exactly once, acknowledged (with >0 or 0 receivers) or
// reported failed; each client receives every seq the gateway got, once and in order, and nothing Redis said no one
// received; received + failed + acknowledged with 0 receivers + acknowledged but lost in the crash = emitted, where
// "lost in the crash" can only be the tail of what the killed Redis acknowledged (it had queued them for the gateway
// when it died: Pub/Sub is at most once) and nothing the new Redis acknowledged with a receiver is ever missing.
// /healthz says 503 while Redis is away and 200 after, and a fresh `notify` reaches both clients.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification, killAndWait, E2E_DIR } from "./harness.mjs";
import { stopChild } from "../../interop/lib/redis-server.mjs";
import { binaryFromEnv } from "../../interop/lib/proc.mjs";

const TOTAL = 100000;
const EMIT_MS = 5000;       // the emitter's pacing: 100k over ~5 s (it only sleeps less on a slow machine), so a
                            // gateway that keeps up is back (its own backoff) and receives again before the end
const KILL_AFTER_MS = 700;  // after the emitter's first emit
const DOWN_MS = 400;        // Redis away this long before the new one starts on the same port

const h = new Harness();
const tmp = mkdtempSync(join(tmpdir(), "sio-e2e-fault-"));
let gateway, byWebsocket, byUpgrade;

before(async () => {
  await h.start();
  // This test is about Redis faults, so the slow-consumer bound (abuse.test.mjs tests it) is raised out of the way:
  // 20,000 notifications a second to two clients sharing one Node process on a loaded 2-core machine can pile up
  // past the 1 MiB default, and the gateway would rightly cut them off.
  gateway = await h.startGateway({ args: ["--max-send-queue", String(256 << 20)] });
  byWebsocket = await h.connect(gateway.port, { userId: "42", transports: ["websocket"], label: "client A (websocket)" });
  byUpgrade = await h.connect(gateway.port, { userId: "42", upgraded: true, label: "client B (polling, upgraded)" });
});

after(async () => {
  await h.close();
  rmSync(tmp, { recursive: true, force: true });
});

const clients = () => [byWebsocket, byUpgrade];

// /healthz polled every 10 ms by a process of its own (healthz-poller.mjs), so the polls keep their pace while
// this process is busy receiving: seen is [{ at (sent), status, answered }] (status 0: no answer within 2 s).
function pollHealth(url) {
  const child = spawn(process.execPath, [join(E2E_DIR, "healthz-poller.mjs"), url, "10"], { stdio: ["ignore", "pipe", "inherit"] });
  h.closers.push(() => killAndWait(child));
  const seen = [];
  createInterface({ input: child.stdout }).on("line", (l) => {
    const [at, status, answered] = l.split(" ").map(Number);
    seen.push({ at, status, answered });
  });
  const exited = new Promise((resolve) => child.on("close", resolve));
  return {
    seen,
    started: () => waitFor(() => seen.length > 0, { timeoutMs: 10000, message: "the first /healthz poll" }),
    stop: async () => {
      await stopChild(child);
      await exited;
    },
  };
}

// The gateway's counters (GET /metrics, Prometheus text): { name: value }.
async function metrics(url) {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200, "/metrics");
  const out = {};
  for (const l of (await res.text()).split("\n")) {
    const m = /^(sio_gateway_[a-z_]+) (\d+)$/.exec(l);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

// Runs the driver; resolves { started: Promise, done: Promise<summary> }. Stopped by PID on close.
function runEmitter(outcomesPath) {
  const path = binaryFromEnv("SIO_FAULT_EMITTER", "sio-e2e-fault-emitter");
  const args = ["--redis", h.redis.url, "--count", String(TOTAL), "--duration-ms", String(EMIT_MS), "--room", "user:42",
    "--outcomes", outcomesPath];
  const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] });
  h.closers.push(() => killAndWait(child));
  const lines = [];
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  createInterface({ input: child.stdout }).on("line", (l) => lines.push(JSON.parse(l)));
  const exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const failed = new Promise((_, reject) => child.on("error", (e) => reject(new Error(`cannot run ${path}: ${e.message}`))));
  failed.catch(() => {});  // reported through `started`
  const started = Promise.race([failed, waitFor(() => lines.some((l) => l.started) || child.exitCode !== null,
    { timeoutMs: 15000, message: "the emitter's first emit" })]).then(() => {
    if (!lines.some((l) => l.started)) throw new Error(`the emitter exited before emitting (${child.exitCode}):\n${stderr}`);
    return Date.now();
  });
  const done = (async () => {
    const timer = setTimeout(() => process.kill(child.pid, "SIGKILL"), 60000);
    const { code, signal } = await exited;
    clearTimeout(timer);
    assert.equal(code, 0, `${path} ${args.join(" ")}: exit ${code} (signal ${signal})\n${stderr}`);
    const summary = lines.find((l) => "emitted" in l);
    assert.ok(summary, `no summary line from the emitter:\n${JSON.stringify(lines)}\n${stderr}`);
    return { summary, stderr };
  })();
  return { started, done };
}

test("before the fault both clients receive", async () => {
  const m = h.mark();
  await h.notify(["--user", "42", "--type", "BEFORE"]);
  await h.waitReceived(m, clients(), 1, `"BEFORE" on both clients`);
  await sleep(QUIET_MS);
  h.only(m, clients(), "notification", clients());
});

test("Redis SIGKILLed and restarted during 100k emits: every emit is received by both clients or reported, and the counts add up", { timeout: 100000 }, async (t) => {
  const health = pollHealth(gateway.url);
  await health.started();
  const before = await metrics(gateway.url);
  const m = h.mark();
  const outcomesPath = join(tmp, "outcomes");
  const runStarted = Date.now();
  const emitter = runEmitter(outcomesPath);
  await emitter.started;
  await sleep(KILL_AFTER_MS);
  const killedAt = Date.now();
  await h.killRedis();
  await sleep(DOWN_MS);
  await h.restartRedis();
  const restartedAt = Date.now();
  const { summary, stderr } = await emitter.done;
  const emitterDoneAt = Date.now();
  const codes = readFileSync(outcomesPath, "latin1");
  assert.equal(codes.length, TOTAL, "one outcome per emit");

  // The gateway resubscribes with its own backoff and may still be working through its backlog: wait until what
  // it received from Redis (its broadcasts counter) has stopped growing and both clients have that many, or until
  // nothing at all has moved for 3 s (something is missing: the assertions below say what), at most 45 s.
  await waitFor(() => health.seen.some((x) => x.at > restartedAt && x.status === 200), { timeoutMs: 15000, message: "/healthz 200 after the restart" });
  const settleDeadline = Date.now() + 45000;
  let lastState = "", movedAt = Date.now(), gatewayMovedAt = Date.now(), lastGateway = -1;
  for (;;) {
    const got = (await metrics(gateway.url)).sio_gateway_broadcasts_received_total - before.sio_gateway_broadcasts_received_total;
    const counts = clients().map((c) => m.received(c).length);
    const state = `${got} ${counts.join(" ")}`;
    if (state !== lastState) [lastState, movedAt] = [state, Date.now()];
    if (got !== lastGateway) [lastGateway, gatewayMovedAt] = [got, Date.now()];
    if (Date.now() - gatewayMovedAt >= 500 && counts.every((n) => n === got)) break;
    if (Date.now() - movedAt >= 3000 || Date.now() > settleDeadline) break;
    await sleep(100);
  }
  const settledAt = Date.now();
  await health.stop();
  health.seen.sort((x, y) => x.at - y.at);
  h.checkGateways();
  const afterRun = await metrics(gateway.url);
  const delta = (name) => (afterRun[name] ?? NaN) - (before[name] ?? NaN);

  const count = (ch) => [...codes].reduce((n, c) => n + (c === ch ? 1 : 0), 0);
  const acked = count("A"), zero = count("Z"), failed = count("F");
  const per = clients().map((c) => {
    const got = m.received(c);
    const seqs = got.map((r) => (r.event === "notification" && r.args.length === 1 ? r.args[0]?.seq : undefined));
    const bad = got.filter((r, i) => !Number.isInteger(seqs[i]));
    assert.deepEqual(bad.slice(0, 3), [], `${c.label}: events other than notification {seq}`);
    let outOfOrder = 0;
    for (let i = 1; i < seqs.length; i++) if (seqs[i] <= seqs[i - 1]) outOfOrder++;
    const set = new Set(seqs);
    const receivedAcked = seqs.filter((s) => codes[s] === "A").length;
    const receivedFailed = seqs.filter((s) => codes[s] === "F").length;
    const unexpected = seqs.filter((s) => codes[s] !== "A" && codes[s] !== "F");
    const lostSeqs = [];
    for (let s = 0; s < TOTAL; s++) if (codes[s] === "A" && !set.has(s)) lostSeqs.push(s);
    return { c, seqs, set, outOfOrder, duplicates: seqs.length - set.size, receivedAcked, receivedFailed, unexpected,
      lostSeqs, lost: lostSeqs.length };
  });
  const [a, b] = per;
  // The outage as the emitter saw it: the first and last seq reported failed or acknowledged with 0 receivers.
  const firstOut = codes.search(/[^A]/), lastOut = Math.max(codes.lastIndexOf("Z"), codes.lastIndexOf("F"));
  const first503 = health.seen.find((s) => s.at >= killedAt && s.status === 503);
  const back200 = health.seen.find((s) => s.at >= (first503?.at ?? killedAt) && s.status === 200);
  const transitions = health.seen.filter((x, i) => i === 0 || x.status !== health.seen[i - 1].status)
    .map((x) => `${x.status}@+${x.at - runStarted}`).join(" ");
  const gap = health.seen.reduce((g, x, i) => (i ? Math.max(g, x.at - health.seen[i - 1].at) : 0), 0);
  const latency = health.seen.reduce((l, x) => Math.max(l, x.answered - x.at), 0);
  const rel = (x) => (x === undefined ? "never" : `+${x.at - runStarted} ms`);
  // Whether the gateway was back while the emits were still going (seqs after the last failed or unheard one,
  // all acknowledged with a receiver, so received: checked below). A slow gateway (ASan, a loaded machine) may
  // still be reading its backlog from the killed Redis when the emitter ends; the "AFTER" test covers it then.
  const afterOutage = lastOut >= 0 ? TOTAL - 1 - lastOut : 0;
  const line = `emitted ${summary.emitted} / received by client A ${a.receivedAcked} (+${a.receivedFailed} reported failed) / ` +
    `received by client B ${b.receivedAcked} (+${b.receivedFailed} reported failed) / reported failed ${failed} / ` +
    `acknowledged with 0 receivers ${zero} / acknowledged but lost A ${a.lost}, B ${b.lost} ` +
    `[emitter reconnects ${summary.reconnects}, emit ${summary.emit_ms} ms, emitter total ${summary.total_ms} ms, ` +
    `kill at +${killedAt - runStarted} ms, Redis back at +${restartedAt - runStarted} ms, /healthz 503 at ${rel(first503)}, ` +
    `200 again at ${rel(back200)} (${health.seen.length} polls: ${transitions}; longest gap ${gap} ms, slowest answer ${latency} ms), gateway reconnects ${delta("sio_gateway_redis_reconnects_total")}, seqs failed or unheard ${firstOut}..${lastOut}, received mid-run after the outage ${afterOutage}, emitter done at +${emitterDoneAt - runStarted} ms, clients settled at +${settledAt - runStarted} ms]`;
  console.log(`redis-fault: ${line}`);
  t.diagnostic(line);
  // What the gateway logged since the run started (a few lines: Redis lost and back, a client cut off, ...), and its
  // counters, for a failure.
  const runLog = gateway.logs.filter((l) => Date.parse(l.ts) >= runStarted - 1000).slice(-20).map((l) => JSON.stringify(l));
  for (const l of runLog) t.diagnostic(`gateway: ${l}`);
  t.diagnostic(`gateway counters during the run: ${Object.keys(afterRun).filter((k) => delta(k)).map((k) => `${k} +${delta(k)}`).join(", ")}`);

  // The library: every emit ended exactly once; nothing refused (the buffer holds the whole run).
  assert.equal(summary.emitted, TOTAL);
  assert.equal(summary.unfinished, 0, `emits without an outcome; emitter stderr:\n${stderr}`);
  assert.equal(summary.twice, 0, "a Completion ran twice");
  assert.equal(summary.refused, 0, `emit() refused some: ${line}`);
  assert.equal(summary.acknowledged_receivers_gt0, acked);
  assert.equal(summary.acknowledged_zero, zero);
  assert.equal(summary.failed, failed);
  assert.equal(acked + zero + failed, TOTAL);
  assert.ok(summary.reconnects >= 1, "the emitter reconnected after the kill (so the kill fell within its run)");
  assert.ok(failed < TOTAL / 2, `only what was in flight at the kill fails: ${line}`);

  // The clients: TCP to a gateway that never lost them, so each got every broadcast the gateway received, in
  // order, once; the two got the same set.
  for (const r of per) {
    assert.equal(m.disconnects(r.c).length, 0, `${r.c.label}: disconnected during the fault: ${JSON.stringify(m.disconnects(r.c))}; ` +
      `the gateway's log since the run started:\n${runLog.join("\n")}\n${line}`);
    assert.equal(r.duplicates, 0, `${r.c.label}: ${r.duplicates} seqs received twice`);
    assert.equal(r.outOfOrder, 0, `${r.c.label}: ${r.outOfOrder} seqs out of order`);
    assert.deepEqual(r.unexpected.slice(0, 10), [], `${r.c.label}: received seqs Redis acknowledged with 0 receivers (or never answered)`);
    // Acknowledged with a receiver but never received: only what the killed Redis still held for the gateway when
    // it died. Seqs before the first failed or unheard one were acknowledged by the killed Redis, every later one by
    // the new Redis (a publish in flight at the kill fails, and all that follow go to the new one). The gateway reads
    // in order, so it got a prefix of the killed Redis' and lost the rest: the lost seqs are the block right before
    // the first failed or unheard seq, and after it nothing is missing. (How many depends on how far behind the
    // gateway was reading at the kill: a few on an idle machine, thousands on a loaded one.)
    const shown = `${r.c.label}: lost seqs ${r.lostSeqs.slice(0, 5).join(",")}${r.lost > 5 ? `,...,${r.lostSeqs.at(-1)}` : ""}: ${line}`;
    if (firstOut >= 0) {
      assert.ok(r.lostSeqs.every((x) => x < firstOut), `${r.c.label}: seqs the new Redis acknowledged with a receiver never arrived; ${shown}`);
      if (r.lost > 0) assert.equal(r.lostSeqs[0], firstOut - r.lost, `${r.c.label}: the lost seqs are not the tail of what the killed Redis acknowledged; ${shown}`);
    } else if (r.lost > 0) {
      assert.equal(r.lostSeqs.at(-1) - r.lostSeqs[0] + 1, r.lost, `${r.c.label}: the lost seqs are not one block; ${shown}`);
    }
    if (r.receivedFailed > 0) assert.equal(r.lost, 0, `${r.c.label}: received a failed seq that the killed Redis ran, yet lost acknowledged ones before it; ${shown}`);
    assert.equal(r.receivedAcked + r.lost + failed + zero, TOTAL, `${r.c.label}: received + lost + failed + acknowledged with 0 = emitted`);
  }
  // The gateway's own count: what it received from Redis during the run is exactly what each client got, and
  // it reconnected to Redis by itself.
  assert.equal(delta("sio_gateway_broadcasts_received_total"), a.seqs.length, `the gateway's broadcasts received vs client A: ${line}`);
  assert.equal(delta("sio_gateway_deliveries_total"), a.seqs.length + b.seqs.length, `the gateway's deliveries vs the clients': ${line}`);
  assert.ok(delta("sio_gateway_redis_reconnects_total") >= 1, `the gateway's Redis reconnects: ${delta("sio_gateway_redis_reconnects_total")}`);
  const onlyA = a.seqs.filter((s) => !b.set.has(s)), onlyB = b.seqs.filter((s) => !a.set.has(s));
  assert.deepEqual([onlyA.slice(0, 10), onlyB.slice(0, 10)], [[], []], "both clients received the same seqs");

  // The gateway's log says it lost the subscription (and /healthz said so while it was down); 200 at the end.
  assert.ok(gateway.logs.some((l) => l.msg === "redis subscription lost"), `no "redis subscription lost" in the gateway's log:\n${gateway.stderr}`);
  const during = health.seen.filter((s) => s.at >= killedAt);
  assert.ok(during.some((s) => s.status === 503), `/healthz never said 503 after the kill: ${JSON.stringify(during.slice(0, 40))}`);
  assert.ok(health.seen.filter((s) => s.at < killedAt).every((s) => s.status === 200), "/healthz 200 before the kill");
  assert.equal(health.seen.at(-1).status, 200, "/healthz 200 at the end");
  // 0: no answer within 2 s (a starved machine); anything else is wrong.
  assert.ok(health.seen.every((s) => [200, 503, 0].includes(s.status)), `/healthz answers: ${JSON.stringify([...new Set(health.seen.map((s) => s.status))])}`);
});

test("after Redis returns, a fresh notify reaches both clients once", async () => {
  await h.waitReceivers("/", 1);
  const m = h.mark();
  await h.notify(["--user", "42", "--type", "AFTER"]);
  await h.waitReceived(m, clients(), 1, `"AFTER" on both clients`);
  await sleep(QUIET_MS);
  h.only(m, clients(), "notification", clients());
  for (const c of clients()) assertNotification(m.received(c)[0], "AFTER", c.label);
});
