// The end-to-end harness of sio-gateway: a private redis-server, sio-gateway processes (SIO_GATEWAY), real Node
// Socket.IO servers on @socket.io/redis-adapter, real socket.io-client users, `notify` (SIO_NOTIFY) and the real
// Node emitter. One Harness per test file; close() stops every process it started, by PID.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { INTEROP_DIR, checkInstalled, load } from "../../interop/lib/packages.mjs";
import { startRedis, stopChild } from "../../interop/lib/redis-server.mjs";
import { run, binaryFromEnv, waitFor } from "../../interop/lib/proc.mjs";
import { http } from "../../interop/lib/http.mjs";

export { waitFor, load };
export const E2E_DIR = dirname(fileURLToPath(import.meta.url));
export const INTEROP_SERVER = join(INTEROP_DIR, "server.mjs");
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const QUIET_MS = 300; // how long "nothing else arrives" is watched after the expected deliveries
// The demo page's socket.io-client bundle, from the pinned npm packages: the gateway has no compiled-in path to it,
// so every gateway started here is given it (SIO_GATEWAY_DEMO_CLIENT_JS; a test's own env or flag wins).
export const DEMO_CLIENT_JS = join(INTEROP_DIR, "node_modules", "socket.io-client", "dist", "socket.io.min.js");

// The environment of child processes: nothing inherited that would redirect them to another Redis or key.
function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const k of ["REDIS_URL", "SIO_KEY", "SIO_GATEWAY_HOST", "SIO_GATEWAY_PORT", "SIO_GATEWAY_AUTH", "SIO_JWT_SECRET", "SIO_JWT_EXP_OPTIONAL"]) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

export class Harness {
  constructor() {
    this.redis = undefined;
    this.gateways = [];
    this.nodeServers = [];
    this.clients = [];
    this.closers = [];
  }

  // Starts the private redis-server (and checks the npm packages are installed). `redis`: a Redis already started
  // instead (e.g. lib/redis-cluster.mjs: its `url` is then a redis+cluster:// URL, `admin` a client of its first
  // node, and waitSubscribed does not apply); close() stops it all the same.
  async start({ redis } = {}) {
    checkInstalled();
    this.redis = redis ?? (await startRedis());
    const { createClient } = load("redis");
    this.admin = createClient({ url: this.redis.nodes?.[0].url ?? this.redis.url });
    this.admin.on("error", () => {});
    await this.admin.connect();
    return this;
  }

  get gatewayPath() {
    return binaryFromEnv("SIO_GATEWAY", "sio-gateway");
  }

  // Starts `sio-gateway --redis <private redis> --port <port> --auth <auth> ...args`; resolves once it logged
  // "listening" (its stderr is one JSON object per line) and its adapter receives broadcasts on `namespaces`.
  // `launcher`: a command the gateway is started through, e.g. ["prlimit", "--nofile=256", "--"].
  async startGateway({ port = 0, auth = "trusted", args = [], namespaces = ["/"], waitSubscribed = true, env = {}, launcher = [] } = {}) {
    const full = ["--redis", this.redis.url, "--port", String(port), "--auth", auth, ...args];
    const [command, ...argv] = [...launcher, this.gatewayPath, ...full];
    const child = spawn(command, argv, {
      stdio: ["ignore", "pipe", "pipe"],
      env: cleanEnv({ SIO_GATEWAY_DEMO_CLIENT_JS: DEMO_CLIENT_JS, ...env }),
    });
    const g = { kind: "gateway", child, pid: child.pid, args: full, logs: [], stderr: "", stdout: "", port: undefined };
    child.stdout.on("data", (d) => (g.stdout += d));
    createInterface({ input: child.stderr }).on("line", (line) => {
      g.stderr += line + "\n";
      try {
        g.logs.push(JSON.parse(line));
      } catch {
        g.logs.push({ raw: line });
      }
    });
    let spawnError;
    child.on("error", (e) => (spawnError = e));
    child.on("exit", (code, signal) => (g.exit = { code, signal }));
    this.gateways.push(g);
    await waitFor(() => spawnError || child.exitCode !== null || g.logs.some((l) => l.msg === "listening"), {
      timeoutMs: 15000,
      message: `sio-gateway ${full.join(" ")} to log "listening"`,
    });
    if (spawnError) throw new Error(`cannot start sio-gateway: ${spawnError.message}`);
    if (child.exitCode !== null) {
      throw new Error(`sio-gateway ${full.join(" ")} exited ${child.exitCode} before listening:\n${g.stderr}`);
    }
    const listening = g.logs.find((l) => l.msg === "listening");
    assert.equal(typeof listening.port, "number", `"listening" log line without a numeric port: ${JSON.stringify(listening)}`);
    g.port = listening.port;
    g.url = `http://127.0.0.1:${g.port}`;
    g.stop = () => {
      g.stopped = true;
      return stopChild(child);
    };
    g.kill = () => {
      g.stopped = true;
      return killAndWait(child);
    };
    if (waitSubscribed) for (const nsp of namespaces) await this.waitReceivers(nsp, this.subscribersExpected(nsp));
    return g;
  }

  // Throws if a gateway this harness started has died on its own (a crash), with its exit status and last logs.
  checkGateways() {
    for (const g of this.gateways) {
      if (g.exit && !g.stopped && g.port !== undefined) {
        const tail = g.stderr.trimEnd().split("\n").slice(-15).join("\n");
        throw new Error(`sio-gateway (pid ${g.pid}, port ${g.port}) died: exit code ${g.exit.code}, signal ${g.exit.signal}; last log lines:\n${tail}`);
      }
    }
  }

  // Starts a Node Socket.IO server (tests/interop/server.mjs unless `script` says otherwise) on the private Redis.
  async startNodeServer(name, { script = INTEROP_SERVER, env = {}, waitSubscribed = true } = {}) {
    const child = spawn(process.execPath, [script, this.redis.url, name], {
      stdio: ["pipe", "pipe", "pipe"],
      env: cleanEnv({ SIO_SERVER_EVENTS: "ping,sse,hello", ...env }),
    });
    const s = { kind: "node", name, child, pid: child.pid, lines: [], stderr: "", port: undefined };
    child.stderr.on("data", (d) => (s.stderr += d));
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        s.lines.push(JSON.parse(line));
      } catch {
        s.lines.push({ raw: line });
      }
    });
    this.nodeServers.push(s);
    await waitFor(() => s.lines.some((l) => l.ready) || child.exitCode !== null, {
      timeoutMs: 15000,
      message: `Node server ${name} to listen`,
    });
    if (child.exitCode !== null) throw new Error(`Node server ${name} exited ${child.exitCode}:\n${s.stderr}`);
    s.port = s.lines.find((l) => l.ready).port;
    s.stop = () => stopChild(child);
    let nextId = 1;
    // The control hook of tests/interop/server.mjs: one JSON command on stdin, its {"reply":id,...} line on stdout.
    s.control = async (cmd, { timeoutMs = 15000 } = {}) => {
      const id = nextId++;
      child.stdin.write(JSON.stringify({ ...cmd, id }) + "\n");
      await waitFor(() => s.lines.some((l) => l.reply === id), { timeoutMs, message: `reply to ${JSON.stringify(cmd)}` });
      return s.lines.find((l) => l.reply === id);
    };
    if (waitSubscribed) for (const nsp of ["/", "/admin"]) await this.waitReceivers(nsp, this.subscribersExpected(nsp));
    return s;
  }

  // How many servers must receive a broadcast on `nsp`: the running Node servers (they serve "/" and "/admin")
  // and gateways (they serve "/" and their --namespace values).
  subscribersExpected(nsp) {
    let n = 0;
    for (const s of this.nodeServers) if (s.child.exitCode === null && s.child.signalCode === null) n++;
    for (const g of this.gateways) {
      if (g.child.exitCode !== null || g.child.signalCode !== null) continue;
      const served = ["/"];
      for (let i = 0; i < g.args.length; i++) if (g.args[i] === "--namespace") served.push(g.args[i + 1]);
      if (served.includes(nsp)) n++;
    }
    return n;
  }

  // Waits until a broadcast on `nsp` reaches `count` subscriptions: publishes a valid classic-adapter message to
  // a room nobody is in (notepack-encoded as the emitter does) and reads PUBLISH's receiver count.
  async waitReceivers(nsp, count, { timeoutMs = 10000 } = {}) {
    const { encode } = load("notepack.io");
    const msg = Buffer.from(encode(["e2e-probe", { type: 2, data: ["e2e-probe"], nsp }, { rooms: ["e2e:nobody"], except: [], flags: {} }]));
    const deadline = Date.now() + timeoutMs;
    let got;
    for (;;) {
      got = await this.admin.publish(Buffer.from(`socket.io#${nsp}#e2e:nobody#`), msg);
      if (got >= count) return got;
      if (Date.now() > deadline) throw new Error(`broadcasts on ${nsp} reach ${got} servers, expected ${count}`);
      await sleep(25);
    }
  }

  // A real socket.io-client socket. Resolves once connected (and, with `upgraded`, once on WebSocket).
  // The record collects { event, args, at } in `received`, { reason, description } in `disconnects`.
  // An event the server sent with an ack id (emitWithAck, notify --confirm) arrives with socket.io-client's ack
  // function as the listener's last argument: it is kept out of `args` (the record gets `ackRequested: true`).
  // `ackWith(args, event)`, when given, answers every such event with its result (recorded as `acked`); without it
  // the client never acknowledges.
  async connect(port, { userId, auth, nsp = "/", transports, reconnection = false, upgraded = false, label, options = {}, ackWith } = {}) {
    const ioClient = load("socket.io-client").io;
    label ??= `user ${userId ?? "?"}${nsp} on :${port}${transports ? ` [${transports}]` : ""}`;
    const socket = ioClient(`http://127.0.0.1:${port}${nsp === "/" ? "" : nsp}`, {
      auth: auth ?? (userId !== undefined ? { userId } : {}),
      forceNew: true,
      reconnection,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
      timeout: 5000,
      ...(transports ? { transports } : {}),
      ...options,
    });
    const c = { label, socket, received: [], disconnects: [], errors: [], connects: 0, transports: [] };
    socket.onAny(recorder(c, ackWith));
    socket.on("disconnect", (reason, description) => c.disconnects.push({ reason, description }));
    socket.on("connect_error", (e) => c.errors.push(e));
    socket.on("connect", () => c.connects++);
    // The transports each Engine.IO connection of this client used: its first, then each upgrade.
    socket.io.on("open", () => {
      const engine = socket.io.engine;
      c.transports.push(engine.transport.name);
      engine.on("upgrade", (t) => c.transports.push(t.name));
    });
    this.clients.push(c);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label}: no connect within 5 s`)), 5000);
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve();
      });
      if (!reconnection) {
        socket.once("connect_error", (e) => {
          clearTimeout(timer);
          reject(new Error(`${label}: connect_error ${e.message}`));
        });
      }
    }).catch((e) => {
      socket.disconnect();
      throw e;
    });
    if (upgraded) {
      await waitFor(() => socket.io.engine?.transport?.name === "websocket", { timeoutMs: 5000, message: `${label}: WebSocket upgrade` });
    }
    return c;
  }

  // A socket.io-client socket that must be refused: resolves with the connect_error (rejects if it connects).
  async connectError(port, { auth, nsp = "/", transports } = {}) {
    const ioClient = load("socket.io-client").io;
    const socket = ioClient(`http://127.0.0.1:${port}${nsp === "/" ? "" : nsp}`, {
      auth: auth ?? {},
      forceNew: true,
      reconnection: false,
      timeout: 5000,
      ...(transports ? { transports } : {}),
    });
    const c = { label: `refused ${JSON.stringify(auth)}${nsp}`, socket, received: [], disconnects: [], errors: [] };
    socket.onAny(recorder(c));
    this.clients.push(c);
    try {
      return await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${c.label}: neither connect nor connect_error within 5 s`)), 5000);
        socket.once("connect", () => {
          clearTimeout(timer);
          reject(new Error(`${c.label}: connected (socket id ${socket.id}) but must be refused`));
        });
        socket.once("connect_error", (e) => {
          clearTimeout(timer);
          resolve(e);
        });
      });
    } finally {
      socket.disconnect();
    }
  }

  // What each client received since this mark.
  mark() {
    const at = new Map(this.clients.map((c) => [c, { received: c.received.length, disconnects: c.disconnects.length }]));
    return {
      received: (c) => c.received.slice(at.get(c)?.received ?? 0),
      disconnects: (c) => c.disconnects.slice(at.get(c)?.disconnects ?? 0),
    };
  }

  // Waits until every client of `clients` received at least `n` events since mark `m`; on timeout the error
  // names what each one got, its state, and whether a gateway died.
  async waitReceived(m, clients, n, what, { timeoutMs = 5000 } = {}) {
    try {
      await waitFor(() => clients.every((c) => m.received(c).length >= n), { timeoutMs, message: what });
    } catch (e) {
      this.checkGateways();
      const state = clients.map((c) =>
        `${c.label}: ${m.received(c).length} of ${n} (connected ${c.socket.connected}, transport ${c.socket.io?.engine?.transport?.name})`);
      throw new Error(`${e.message}\n  ${state.join("\n  ")}`);
    }
  }

  // Asserts that since mark `m`, the clients in `expected` got exactly one `event` and every other client none.
  only(m, expected, event, among = this.clients) {
    for (const c of among) {
      const got = m.received(c).filter((r) => r.event === event);
      const want = expected.includes(c) ? 1 : 0;
      assert.equal(got.length, want, `${c.label}: ${got.length} "${event}" events, expected ${want}: ${JSON.stringify(got)}`);
    }
  }

  // Runs the real `notify` (SIO_NOTIFY) against the private Redis; asserts the exit code. The result also has
  // `ms` (wall time from spawn to exit) and `shown` (the command line, for messages).
  async notify(args, { expectCode = 0, timeoutMs = 10000, env = {} } = {}) {
    const path = binaryFromEnv("SIO_NOTIFY", "notify");
    const full = [...args, "--redis", this.redis.url];
    const started = Date.now();
    const r = await run(path, full, { timeoutMs, env: cleanEnv(env) });
    r.ms = Date.now() - started;
    const shown = `notify ${full.map((a) => JSON.stringify(a)).join(" ")}`;
    r.shown = shown;
    assert.equal(r.timedOut, false, `${shown}: timed out`);
    assert.equal(r.code, expectCode, `${shown}: exit ${r.code}, expected ${expectCode}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  }

  // PUBSUB NUMSUB <key>-request#<nsp>#: what a Node server's serverCount() reports (PROTOCOL.md §8.2); with
  // `adapter` "sharded", PUBSUB SHARDNUMSUB <key>#<nsp># (§4.1), "streams", PUBSUB NUMSUB <key>#<nsp># (§8.7):
  // what those adapters' serverCount() report.
  async requestSubscribers(nsp = "/", key = "socket.io", { adapter = "classic" } = {}) {
    const command =
      adapter === "sharded" ? ["PUBSUB", "SHARDNUMSUB", `${key}#${nsp}#`]
      : adapter === "streams" ? ["PUBSUB", "NUMSUB", `${key}#${nsp}#`]
      : ["PUBSUB", "NUMSUB", `${key}-request#${nsp}#`];
    const reply = await this.admin.sendCommand(command);
    return Number(reply[1]);
  }

  // A "server" that never answers: a node-redis connection that only SUBSCRIBEs <key>-request#<nsp># (so every
  // requester counts it) and ignores what arrives. Resolves once subscribed; close() unsubscribes and disconnects
  // (also done by close()). `received` counts the requests it saw.
  // `adapter` "sharded" / "streams": the same on the channel their requests go to, <key>#<nsp># (SSUBSCRIBE /
  // SUBSCRIBE).
  async silentRequestSubscriber(nsp = "/", key = "socket.io", { adapter = "classic" } = {}) {
    const { createClient } = load("redis");
    const client = createClient({ url: this.redis.url });
    client.on("error", () => {});
    await client.connect();
    const s = { received: 0, closed: false };
    if (adapter === "sharded") await client.sSubscribe(`${key}#${nsp}#`, () => s.received++, true);
    else if (adapter === "streams") await client.subscribe(`${key}#${nsp}#`, () => s.received++, true);
    else await client.subscribe(`${key}-request#${nsp}#`, () => s.received++, true);
    s.close = async () => {
      if (s.closed) return;
      s.closed = true;
      await client.disconnect().catch(() => {});
    };
    this.closers.push(s.close);
    return s;
  }

  // The real Node emitter (@socket.io/redis-emitter 5.1.0) on its own node-redis client.
  async emitter() {
    if (!this._emitter) {
      const { Emitter } = load("@socket.io/redis-emitter");
      const { createClient } = load("redis");
      const client = createClient({ url: this.redis.url });
      client.on("error", () => {});
      await client.connect();
      this.closers.push(() => client.disconnect().catch(() => {}));
      this._emitter = new Emitter(client);
    }
    return this._emitter;
  }

  // Redis faults: SIGKILL the private redis-server (by PID; resolves once it is gone), and start a new one on the
  // same port (the gateways and the admin client reconnect on their own). restartRedis() resolves once it answers
  // PING; the kernel may keep the port briefly, so it retries until `timeoutMs`. close() stops the new one.
  async killRedis() {
    await killAndWait(this.redis.child);
  }

  async restartRedis({ timeoutMs = 10000 } = {}) {
    this.redis = await startRedis({ port: this.redis.port, startTimeoutMs: timeoutMs });
    return this.redis;
  }

  async close() {
    try {
      this.checkGateways();
    } catch (e) {
      console.error(e.message);
    }
    for (const c of this.clients) c.socket.disconnect();
    for (const f of this.closers) await f();
    await Promise.allSettled([...this.gateways, ...this.nodeServers].map((p) => stopChild(p.child)));
    if (this.admin) await this.admin.disconnect().catch(() => {});
    if (this.redis) await this.redis.stop();
  }
}

// The onAny listener of a client record: an ack function (socket.io-client appends one to events sent with an ack
// id) never ends up in `args`; `ackWith` answers it.
function recorder(c, ackWith) {
  return (event, ...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    const rec = { event, args, at: Date.now() };
    if (ack) {
      rec.ackRequested = true;
      if (ackWith) {
        rec.acked = ackWith(args, event);
        ack(rec.acked);
      }
    }
    c.received.push(rec);
  };
}

// SIGKILL by PID, resolved once the process is gone.
export function killAndWait(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      resolve();
    }
  });
}

// Checks a user's notification record: event "notification", one argument with this type.
export function assertNotification(r, type, label) {
  assert.ok(r, `${label}: nothing received`);
  assert.equal(r.event, "notification", `${label}: event`);
  assert.equal(r.args.length, 1, `${label}: ${JSON.stringify(r.args)}`);
  assert.equal(r.args[0].type, type, `${label}: ${JSON.stringify(r.args)}`);
}

// Sanitizer builds (ASan keeps freed memory in quarantine, TSan shadows all of it) use several times the memory:
// their bound is scaled, the figures are printed all the same.
export function sanitized(pid) {
  if (/lib[at]san|libubsan/.test(readFileSync(`/proc/${pid}/maps`, "utf8"))) return true;
  const exe = readFileSync(`/proc/${pid}/exe`);  // clang links the runtimes statically
  return exe.includes("__asan_init") || exe.includes("__tsan_init");
}

// VmHWM (peak resident set) and VmRSS of a process, in MB.
export function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))[1]);
  return { peakMb: kb("VmHWM") / 1024, currentMb: kb("VmRSS") / 1024 };
}

// /metrics as { name: value } (unlabelled samples only).
export async function metrics(g) {
  const res = await http(g.port, { path: "/metrics" });
  assert.equal(res.status, 200);
  const out = {};
  for (const line of res.body.split("\n")) {
    const m = line.match(/^([a-z_]+) (\d+)$/);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

export const b64url = (v) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");

// An HS256 JWT signed with `secret`: the header and the claims as given (objects, or raw JSON text to forge odd
// ones: duplicate names, deep nesting); header {alg: "none"} gives an unsigned token.
export function jwt(claims, { secret, header = { alg: "HS256", typ: "JWT" } } = {}) {
  const body = `${b64url(header)}.${b64url(claims)}`;
  if (typeof header === "object" && header.alg === "none") return `${body}.`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}
export const nowSeconds = () => Math.floor(Date.now() / 1000);

// A well-behaved user for the hostile-client suites: connected (websocket after the upgrade, JWT mode with
// `secret`) before an attack starts; assertServing() after it checks what its users would notice.
export async function bystander(h, g, { userId = "42", secret, label } = {}) {
  const token = jwt({ sub: userId, iat: nowSeconds(), exp: nowSeconds() + 3600 }, { secret });
  const b = { userId, token, label: label ?? `bystander user ${userId} on :${g.port}` };
  b.client = await h.connect(g.port, { auth: { token }, upgraded: true, label: b.label });
  return b;
}

// After an attack: the gateway still runs, /healthz answers 200, and both the bystander connected before the
// attack (same connection, never disconnected) and a client connecting now receive a notification from notify.
export async function assertServing(h, g, b, what) {
  h.checkGateways();
  const health = await http(g.port, { path: "/healthz", timeoutMs: 5000 });
  assert.equal(health.status, 200, `${what}: /healthz of :${g.port}: ${health.status} ${health.body}`);
  const late = await h.connect(g.port, { auth: { token: b.token }, label: `${b.label} (after ${what})` });
  const m = h.mark();
  const type = `AFTER_${what.replace(/[^A-Za-z0-9]+/g, "_").toUpperCase()}`;
  await h.notify(["--user", b.userId, "--type", type]);
  await h.waitReceived(m, [b.client, late], 1, `${what}: the notification to user ${b.userId}`, { timeoutMs: 10000 });
  for (const c of [b.client, late]) assertNotification(m.received(c)[0], type, c.label);
  assert.deepEqual(b.client.disconnects, [], `${what}: ${b.label} was disconnected`);
  assert.equal(b.client.connects, 1, `${what}: ${b.label} reconnected`);
  late.socket.disconnect();
}
