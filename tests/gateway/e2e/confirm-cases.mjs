// The delivery-confirmation, presence and push-fallback tests of `notify` (PROTOCOL.md §8), run against one fleet
// of two servers on a private Redis: confirm-node (2 Node servers), confirm-gateways (2 sio-gateways) and
// confirm-mixed (1 Node server + 1 gateway) each call confirmSuite() once, so each file has one Harness; the
// confirm-sharded-* files run it with 2 Node servers on createShardedAdapter in one subscription mode each (§8.6),
// confirm-streams with 2 Node servers on the streams adapter (§8.7).
//
// Sockets: user 42 has 2 on server A and 1 on server B, user 5 one on B, user 7 (a bystander) one on each; user 999
// has none. Every client acknowledges confirmed events with {got: <notification type>, by: <its label>}.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Harness, sleep, QUIET_MS, assertNotification } from "./harness.mjs";

const FAST_MS = 2000; // a Node server's own cluster requests must stay "well under" requestsTimeout (5 s)
const TIMEOUT = ["--timeout", "2s"]; // answered requests return at once; this only bounds a broken run
const NOTIFY_RUNS = 20; // --confirm runs of the regression test: this many in parallel, then as many in a row

const lines = (text) => text.split("\n").filter((l) => l !== "");
const sortedJson = (values) => values.map((v) => JSON.stringify(v)).sort();

function parseJson(r) {
  try {
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`${r.shown}: stdout is not one JSON document (${e.message}):\n${r.stdout}\nstderr: ${r.stderr}`);
  }
}

// The adapters the suite runs with: the classic one (the default) and the sharded one in a subscription mode.
// `subscribers`: the servers as they count each other; `command`/`channel`: where notify's requests go.
export const CLASSIC = { kind: "classic", notifyArgs: [], serverEnv: {}, command: "PUBLISH", channel: "socket.io-request#/#" };
export const sharded = (mode) => ({
  kind: "sharded",
  notifyArgs: ["--mode", "sharded", "--subscription-mode", mode],
  serverEnv: { SIO_ADAPTER: "sharded", SIO_SUBSCRIPTION_MODE: mode },
  command: "SPUBLISH",
  channel: "socket.io#/#",
});
// @socket.io/redis-streams-adapter: its requests are ephemeral PUB/SUB messages, not stream entries (§8.7).
export const STREAMS = {
  kind: "streams",
  notifyArgs: ["--mode", "streams"],
  serverEnv: { SIO_ADAPTER: "streams" },
  command: "PUBLISH",
  channel: "socket.io#/#",
};

// The --json result of --confirm (PROTOCOL.md §8.3 through the CLI): exactly these keys, plus `extra`.
function assertConfirmJson(r, { servers, answered, timedOut, clients, extra = [] }, adapter) {
  const j = parseJson(r);
  assert.deepEqual(Object.keys(j).sort(),
    ["command", "channel", "bytes", "servers", "answered", "timed_out", "clients", ...extra].sort(), `${r.shown}: keys of ${r.stdout}`);
  assert.equal(j.command, adapter.command, r.stdout);
  assert.equal(j.channel, adapter.channel, r.stdout);
  assert.ok(Number.isInteger(j.bytes) && j.bytes > 0, `bytes: ${r.stdout}`);
  assert.deepEqual({ servers: j.servers, answered: j.answered, timed_out: j.timed_out, clients: j.clients },
    { servers, answered, timed_out: timedOut, clients }, `${r.shown}: ${r.stdout}`);
  return j;
}

// kinds: the kinds of server A and server B, "node" (tests/interop/server.mjs) or "gateway" (sio-gateway).
// adapter: CLASSIC, sharded(mode) or STREAMS (Node servers only: the gateway consumes the classic adapter's channels).
export function confirmSuite(fleet, kinds, adapter = CLASSIC) {
  const h = new Harness();
  const notify = (args, options) => h.notify([...args, ...adapter.notifyArgs], options);
  const subscribers = (nsp) => h.requestSubscribers(nsp, "socket.io", { adapter: adapter.kind });
  const confirmJson = (r, expected) => assertConfirmJson(r, expected, adapter);
  const servers = {};
  let A, B, a42x, a42y, b42, b5, a7, b7, users42;

  const ackValue = (label) => (args, event) => ({ got: event === "notification" ? args[0]?.type : event, by: label });
  const start = async (kind, name) => {
    if (kind !== "node") return h.startGateway();
    const env = { SIO_SERVER_ACK: "echo", ...adapter.serverEnv };
    if (adapter.kind === "classic") return h.startNodeServer(name, { env });
    // A sharded or streams server subscribes its main channel after it listens: wait until the servers count it.
    const expected = h.nodeServers.length + 1;
    const s = await h.startNodeServer(name, { env, waitSubscribed: false });
    for (let i = 0; (await subscribers("/")) < expected; i++) {
      if (i > 500) throw new Error(`Node server ${name} did not subscribe socket.io#/#`);
      await sleep(10);
    }
    return s;
  };
  const client = (server, userId, label) => h.connect(server.port, { userId, label, ackWith: ackValue(label) });
  // What each server answers to `notify server-emit hello --arg '{"x":1}' --acks`: a Node server's echo, a gateway's
  // value-less acknowledgement (null).
  const serverEmitAnswer = (server) => (server.kind === "node" ? { server: server.name, event: "hello", args: [{ x: 1 }] } : null);

  before(async () => {
    await h.start();
    A = await start(kinds[0], "A");
    B = await start(kinds[1], "B");
    A.name = "A";
    B.name = "B";
    Object.assign(servers, { A, B });
    a42x = await client(A, "42", `user 42 #1 on A (${A.kind})`);
    a42y = await client(A, "42", `user 42 #2 on A (${A.kind})`);
    b42 = await client(B, "42", `user 42 on B (${B.kind})`);
    b5 = await client(B, "5", `user 5 on B (${B.kind})`);
    a7 = await client(A, "7", `user 7 on A (${A.kind})`);
    b7 = await client(B, "7", `user 7 on B (${B.kind})`);
    users42 = [a42x, a42y, b42];
    assert.equal(await subscribers("/"), 2, "both servers subscribe socket.io-request#/#");
  });

  after(() => h.close());

  test(`${fleet}: --confirm to a user without sockets: exit 9, "delivered to 0 sockets (2 of 2 servers answered)"`, async () => {
    const m = h.mark();
    const r = await notify(["--user", "999", "--type", "NOBODY", "--confirm", ...TIMEOUT], { expectCode: 9 });
    assert.equal(r.stdout, "delivered to 0 sockets (2 of 2 servers answered)\n", `${r.shown}\nstderr: ${r.stderr}`);
    const j = await notify(["--user", "999", "--type", "NOBODY", "--confirm", "--json", ...TIMEOUT], { expectCode: 9 });
    confirmJson(j, { servers: 2, answered: 2, timedOut: false, clients: 0 });
    await sleep(QUIET_MS);
    h.only(m, [], "notification");
  });

  test(`${fleet}: --confirm to a user with 1 socket: "delivered to 1 socket (2 of 2 servers answered)", only that socket receives`, async () => {
    const m = h.mark();
    const r = await notify(["--user", "5", "--type", "ONE", "--confirm", ...TIMEOUT]);
    assert.equal(r.stdout, "delivered to 1 socket (2 of 2 servers answered)\n", `${r.shown}\nstderr: ${r.stderr}`);
    assert.equal(r.stderr, "", `${r.shown}: no warning when every server answered`);
    await h.waitReceived(m, [b5], 1, "user 5's notification");
    const j = await notify(["--user", "5", "--type", "ONE", "--confirm", "--json", ...TIMEOUT]);
    confirmJson(j, { servers: 2, answered: 2, timedOut: false, clients: 1 });
    await h.waitReceived(m, [b5], 2, "user 5's second notification");
    await sleep(QUIET_MS);
    const got = m.received(b5).filter((e) => e.event === "notification");
    assert.equal(got.length, 2, JSON.stringify(got));
    for (const e of got) {
      assertNotification(e, "ONE", b5.label);
      assert.equal(e.ackRequested, true, `${b5.label}: a confirmed notification carries an ack id`);
    }
    for (const c of h.clients.filter((x) => x !== b5)) {
      assert.deepEqual(m.received(c).filter((e) => e.event === "notification"), [], `${c.label} must receive nothing`);
    }
  });

  test(`${fleet}: --confirm to a user with 3 sockets on both servers (2 + 1): "delivered to 3 sockets (2 of 2 servers answered)"; user 7 neither counted nor reached`, async () => {
    const m = h.mark();
    const r = await notify(["--user", "42", "--type", "THREE", "--payload", '{"orderId":7}', "--confirm", ...TIMEOUT]);
    assert.equal(r.stdout, "delivered to 3 sockets (2 of 2 servers answered)\n", `${r.shown}\nstderr: ${r.stderr}`);
    assert.equal(r.stderr, "", `${r.shown}: no warning when every server answered`);
    await h.waitReceived(m, users42, 1, "user 42's three sockets");
    await sleep(QUIET_MS);
    h.only(m, users42, "notification");
    for (const c of users42) {
      const e = m.received(c).find((x) => x.event === "notification");
      assertNotification(e, "THREE", c.label);
      assert.deepEqual(e.args[0].payload, { orderId: 7 }, c.label);
      assert.equal(e.ackRequested, true, c.label);
    }

    const m2 = h.mark();
    const j = await notify(["--user", "42", "--type", "THREE", "--confirm", "--json", ...TIMEOUT]);
    confirmJson(j, { servers: 2, answered: 2, timedOut: false, clients: 3 });
    await h.waitReceived(m2, users42, 1, "user 42's three sockets (--json)");
    await sleep(QUIET_MS);
    h.only(m2, users42, "notification");
  });

  test(`${fleet}: --confirm --acks: every client's ack is printed, exactly the clients' values`, async () => {
    const m = h.mark();
    const r = await notify(["--user", "42", "--type", "ACKED", "--confirm", "--acks", ...TIMEOUT]);
    const out = lines(r.stdout);
    assert.equal(out[0], "delivered to 3 sockets (2 of 2 servers answered)", `${r.shown}:\n${r.stdout}\nstderr: ${r.stderr}`);
    assert.equal(out[1], "acknowledged by 3 of 3", `${r.shown}:\n${r.stdout}`);
    assert.equal(out.length, 5, `${r.shown}: two summary lines and one JSON line per ack:\n${r.stdout}`);
    const printed = out.slice(2).map((l) => JSON.parse(l));
    const acked = users42.map((c) => {
      const e = m.received(c).find((x) => x.event === "notification");
      assertNotification(e, "ACKED", c.label);
      assert.ok("acked" in e, `${c.label} acknowledged`);
      return e.acked;
    });
    assert.deepEqual(sortedJson(printed), sortedJson(acked), "the printed acks are the clients' values (as a multiset)");
    assert.deepEqual(sortedJson(printed), sortedJson(users42.map((c) => ({ got: "ACKED", by: c.label }))));

    const m2 = h.mark();
    const jr = await notify(["--user", "42", "--type", "ACKED_JSON", "--confirm", "--acks", "--json", ...TIMEOUT]);
    const j = confirmJson(jr, { servers: 2, answered: 2, timedOut: false, clients: 3, extra: ["acks"] });
    assert.deepEqual(sortedJson(j.acks), sortedJson(users42.map((c) => ({ got: "ACKED_JSON", by: c.label }))), jr.stdout);
    await sleep(QUIET_MS);
    h.only(m2, users42, "notification");
  });

  test(`${fleet}: presence: notify sockets --user 42 lists exactly user 42's sockets on both servers (text, --ids, --json); nobody: exit 9`, async () => {
    const want = users42.map((c) => c.socket.id).sort();
    const r = await notify(["sockets", "--user", "42", ...TIMEOUT]);
    const rows = lines(r.stdout).map((l) => l.split("\t"));
    assert.ok(rows.every((row) => row.length === 2), `${r.shown}: "<id>\\t<rooms>" lines:\n${r.stdout}`);
    assert.deepEqual(rows.map(([id]) => id).sort(), want, `${r.shown}:\n${r.stdout}`);
    for (const [id, rooms] of rows) assert.deepEqual(rooms.split(",").sort(), [id, "user:42"].sort(), `rooms of ${id}: ${rooms}`);

    const ids = await notify(["sockets", "--user", "42", "--ids", ...TIMEOUT]);
    assert.deepEqual(lines(ids.stdout).sort(), want, `${ids.shown}:\n${ids.stdout}`);

    const jr = await notify(["sockets", "--user", "42", "--json", ...TIMEOUT]);
    const j = parseJson(jr);
    assert.deepEqual(Object.keys(j).sort(), ["answered", "servers", "sockets", "timed_out"], jr.stdout);
    assert.deepEqual({ servers: j.servers, answered: j.answered, timed_out: j.timed_out }, { servers: 2, answered: 2, timed_out: false });
    assert.deepEqual(j.sockets.map((s) => s.id).sort(), want, jr.stdout);
    for (const s of j.sockets) {
      assert.deepEqual(Object.keys(s).sort(), ["data", "handshake", "id", "rooms"], JSON.stringify(s));
      assert.deepEqual([...s.rooms].sort(), [s.id, "user:42"].sort(), JSON.stringify(s));
      assert.deepEqual(s.handshake?.auth, { userId: "42" }, JSON.stringify(s.handshake));
    }

    const five = await notify(["sockets", "--user", "5", "--ids", ...TIMEOUT]);
    assert.deepEqual(lines(five.stdout), [b5.socket.id], five.stdout);

    const none = await notify(["sockets", "--user", "999", ...TIMEOUT], { expectCode: 9 });
    assert.equal(none.stdout, "", `${none.shown}: no socket lines`);
    const noneJson = parseJson(await notify(["sockets", "--user", "999", "--json", ...TIMEOUT], { expectCode: 9 }));
    assert.deepEqual(noneJson, { servers: 2, answered: 2, timed_out: false, sockets: [] });
  });

  test(`${fleet}: server-emit hello --acks: "answered by 2 of 2 servers" and each server's answer (Node: its listener's, gateway: null)`, async () => {
    const want = sortedJson([serverEmitAnswer(A), serverEmitAnswer(B)]);
    const r = await notify(["server-emit", "hello", "--arg", '{"x":1}', "--acks", ...TIMEOUT]);
    const out = lines(r.stdout);
    assert.equal(out[0], "answered by 2 of 2 servers", `${r.shown}:\n${r.stdout}\nstderr: ${r.stderr}`);
    assert.deepEqual(sortedJson(out.slice(1).map((l) => JSON.parse(l))), want, `${r.shown}:\n${r.stdout}`);
    const j = parseJson(await notify(["server-emit", "hello", "--arg", '{"x":1}', "--acks", "--json", ...TIMEOUT]));
    assert.deepEqual(Object.keys(j).sort(), ["answered", "responses", "servers", "timed_out"], JSON.stringify(j));
    assert.deepEqual({ servers: j.servers, answered: j.answered, timed_out: j.timed_out }, { servers: 2, answered: 2, timed_out: false });
    assert.deepEqual(sortedJson(j.responses), want, JSON.stringify(j));
    for (const c of h.clients) assert.ok(!c.received.some((e) => e.event === "hello"), `${c.label} must not see a server-side event`);
  });

  test(`${fleet}: --fallback runs once (notification on stdin, SIO_* env) when the user is offline, never when online; a failing fallback: exit 10`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "sio-fallback-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const record = (file) =>
      `cat >> '${file}'; printf '%s\\n' "user=$SIO_USER" "event=$SIO_EVENT" "nsp=$SIO_NSP" "rooms=$SIO_ROOMS" ` +
      `"notification=$SIO_NOTIFICATION" "--end--" >> '${file}'`;
    const notification = { type: "OFFLINE", payload: { orderId: 7 }, timestamp: 1700000000000 };
    const base = ["--type", "OFFLINE", "--payload", '{"orderId":7}', "--timestamp", "1700000000000", "--confirm", ...TIMEOUT];

    // Offline: runs exactly once, with the notification JSON + "\n" on stdin.
    const offline = join(dir, "offline.txt");
    const m = h.mark();
    const r = await notify(["--user", "999", ...base, "--fallback", record(offline)]);
    assert.ok(existsSync(offline), `${r.shown}: the fallback did not run (exit ${r.code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const got = readFileSync(offline, "utf8").split("\n");
    assert.equal(got.filter((l) => l === "--end--").length, 1, `the fallback ran exactly once:\n${got.join("\n")}`);
    assert.deepEqual(JSON.parse(got[0]), notification, `stdin of the fallback: ${got[0]}`);
    assert.equal(got[0], JSON.stringify(JSON.parse(got[0])), "stdin is compact JSON on one line");
    assert.deepEqual(got.slice(1, 5), ["user=999", "event=notification", "nsp=/", "rooms=user:999"], got.join("\n"));
    assert.match(got[5], /^notification=/, got.join("\n"));
    assert.deepEqual(JSON.parse(got[5].slice("notification=".length)), notification, got[5]);
    assert.deepEqual(got.slice(6), ["--end--", ""], got.join("\n"));

    const offlineJson = join(dir, "offline-json.txt");
    const jr = await notify(["--user", "999", ...base, "--json", "--fallback", record(offlineJson)]);
    const j = confirmJson(jr, { servers: 2, answered: 2, timedOut: false, clients: 0, extra: ["fallback"] });
    assert.deepEqual(j.fallback, { status: 0 }, jr.stdout);
    assert.equal(readFileSync(offlineJson, "utf8").split("\n").filter((l) => l === "--end--").length, 1);

    // Online: delivered, the fallback never runs.
    const online = join(dir, "online.txt");
    const on = await notify(["--user", "42", ...base, "--fallback", record(online)]);
    assert.equal(on.stdout, "delivered to 3 sockets (2 of 2 servers answered)\n", `${on.shown}\nstderr: ${on.stderr}`);
    const onJson = await notify(["--user", "5", ...base, "--json", "--fallback", record(online)]);
    confirmJson(onJson, { servers: 2, answered: 2, timedOut: false, clients: 1 });
    await h.waitReceived(m, [...users42, b5], 1, "the online users' notifications");
    await sleep(QUIET_MS);
    assert.equal(existsSync(online), false, `the fallback ran for an online user: ${existsSync(online) ? readFileSync(online, "utf8") : ""}`);
    h.only(m, [...users42, b5], "notification");

    // A failing fallback: exit 10 (its status in --json).
    await notify(["--user", "999", ...base, "--fallback", "exit 3"], { expectCode: 10 });
    const failed = await notify(["--user", "999", ...base, "--json", "--fallback", "cat > /dev/null; exit 3"], { expectCode: 10 });
    const fj = confirmJson(failed, { servers: 2, answered: 2, timedOut: false, clients: 0, extra: ["fallback"] });
    assert.deepEqual(fj.fallback, { status: 3 }, failed.stdout);
  });

  test(`${fleet}: a third "server" that never answers: partial results at the timeout (2 of 3), exit 0 + warning / 6; notify never subscribes the request channel`, async () => {
    const silent = await h.silentRequestSubscriber("/", "socket.io", { adapter: adapter.kind });
    try {
      assert.equal(await subscribers("/"), 3, "2 servers + the silent subscriber");
      // NUMSUB while notify waits: notify itself must never subscribe socket.io-request#/#.
      const samples = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          samples.push(await subscribers("/"));
          await sleep(20);
        }
      })();
      const m = h.mark();
      let r;
      try {
        r = await notify(["--user", "42", "--type", "PARTIAL", "--confirm", "--timeout", "1s"]);
      } finally {
        sampling = false;
        await sampler;
      }
      assert.equal(r.stdout, "delivered to 3 sockets (2 of 3 servers answered)\n", `${r.shown}\nstderr: ${r.stderr}`);
      assert.notEqual(r.stderr.trim(), "", `${r.shown}: a warning on stderr when only 2 of 3 servers answered`);
      assert.ok(r.ms >= 900 && r.ms < 3000, `${r.shown}: took ${r.ms} ms, expected about the 1 s timeout`);
      assert.ok(samples.length > 0 && samples.every((n) => n === 3), `NUMSUB socket.io-request#/# while notify waited: ${samples}`);
      assert.ok(silent.received >= 1, "the silent subscriber saw the request");
      await h.waitReceived(m, users42, 1, "user 42's sockets (partial confirmation)");

      const z = await notify(["--user", "999", "--type", "PARTIAL", "--confirm", "--timeout", "1s"], { expectCode: 6 });
      assert.equal(z.stdout, "delivered to 0 sockets (2 of 3 servers answered)\n", `${z.shown}\nstderr: ${z.stderr}`);
      assert.ok(z.ms >= 900 && z.ms < 3000, `${z.shown}: took ${z.ms} ms`);

      const j = await notify(["--user", "42", "--type", "PARTIAL", "--confirm", "--json", "--timeout", "1s"]);
      confirmJson(j, { servers: 3, answered: 2, timedOut: true, clients: 3 });
      assert.ok(j.ms < 3000, `${j.shown}: took ${j.ms} ms`);

      const s = await notify(["sockets", "--user", "42", "--json", "--timeout", "1s"]);
      const sj = parseJson(s);
      assert.deepEqual({ servers: sj.servers, answered: sj.answered, timed_out: sj.timed_out }, { servers: 3, answered: 2, timed_out: true }, s.stdout);
      assert.deepEqual(sj.sockets.map((x) => x.id).sort(), users42.map((c) => c.socket.id).sort());
      assert.ok(s.ms >= 900 && s.ms < 3000, `${s.shown}: took ${s.ms} ms`);
      const s0 = await notify(["sockets", "--user", "999", "--timeout", "1s"], { expectCode: 6 });
      assert.ok(s0.ms < 3000, `${s0.shown}: took ${s0.ms} ms`);

      const e = await notify(["server-emit", "hello", "--arg", '{"x":1}', "--acks", "--timeout", "1s"], { expectCode: 6 });
      const out = lines(e.stdout);
      assert.equal(out[0], "answered by 2 of 3 servers", `${e.shown}:\n${e.stdout}\nstderr: ${e.stderr}`);
      assert.deepEqual(sortedJson(out.slice(1).map((l) => JSON.parse(l))), sortedJson([serverEmitAnswer(A), serverEmitAnswer(B)]), e.stdout);
      assert.ok(e.ms >= 900 && e.ms < 3000, `${e.shown}: took ${e.ms} ms`);
    } finally {
      await silent.close();
    }
    for (let i = 0; (await subscribers("/")) !== 2; i++) {
      if (i > 200) throw new Error("the silent subscriber did not go away");
      await sleep(10);
    }
  });

  test(`${fleet}: ${NOTIFY_RUNS} parallel then ${NOTIFY_RUNS} sequential --confirm runs: every count right; NUMSUB stays 2; the Node servers' fetchSockets, serverSideEmitWithAck and serverCount stay fast and exact`, async () => {
    const nodes = [A, B].filter((s) => s.kind === "node");
    const allIds = h.clients.map((c) => c.socket.id).sort();
    const samples = [];
    const controls = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        samples.push(await subscribers("/"));
        await sleep(5);
      }
    })();
    const driveNode = async (node) => {
      do {
        controls.push({ node: node.name, what: "fetchSockets", ...(await node.control({ cmd: "fetchSockets" })) });
        controls.push({ node: node.name, what: "serverSideEmitWithAck", ...(await node.control({ cmd: "serverSideEmitWithAck", event: "hello", args: [{ x: 1 }] })) });
        controls.push({ node: node.name, what: "serverCount", ...(await node.control({ cmd: "serverCount" })) });
      } while (running);
    };
    const drivers = nodes.map(driveNode);
    const m = h.mark();
    let results;
    try {
      // In parallel, then one after the other, while the Node servers run their own requests.
      results = await Promise.all(Array.from({ length: NOTIFY_RUNS }, (_, i) =>
        notify(["--user", "42", "--type", `LOAD_${i}`, "--confirm", ...TIMEOUT])));
      for (let i = NOTIFY_RUNS; i < 2 * NOTIFY_RUNS; i++) {
        results.push(await notify(["--user", "42", "--type", `LOAD_${i}`, "--confirm", ...TIMEOUT]));
      }
    } finally {
      running = false;
      await Promise.all([sampler, ...drivers]);
    }
    for (const r of results) assert.equal(r.stdout, "delivered to 3 sockets (2 of 2 servers answered)\n", `${r.shown}\nstderr: ${r.stderr}`);
    assert.ok(samples.length > 0 && samples.every((n) => n === 2), `NUMSUB socket.io-request#/# during the runs: ${samples}`);

    await h.waitReceived(m, users42, 2 * NOTIFY_RUNS, `${2 * NOTIFY_RUNS} notifications on each of user 42's sockets`);
    await sleep(QUIET_MS);
    const types = Array.from({ length: 2 * NOTIFY_RUNS }, (_, i) => `LOAD_${i}`).sort();
    for (const c of users42) {
      assert.deepEqual(m.received(c).filter((e) => e.event === "notification").map((e) => e.args[0].type).sort(), types, c.label);
    }
    for (const c of [b5, a7, b7]) assert.deepEqual(m.received(c), [], `${c.label} must receive nothing`);

    for (const c of controls) {
      assert.equal(c.error, undefined, `${c.node}'s ${c.what} failed after ${c.ms} ms: ${c.error}`);
      assert.ok(c.ms < FAST_MS, `${c.node}'s ${c.what} took ${c.ms} ms`);
      if (c.what === "fetchSockets") assert.deepEqual(c.sockets.map((s) => s.id).sort(), allIds, `${c.node}'s fetchSockets: every socket of both servers`);
      if (c.what === "serverCount") assert.equal(c.count, 2, `${c.node}'s serverCount must not include notify`);
      if (c.what === "serverSideEmitWithAck") {
        const other = c.node === "A" ? B : A;
        const want = other.kind === "node" ? { server: other.name, event: "hello", args: [{ x: 1 }] } : null;
        // A gateway acknowledges without a value: the Node requester records it as undefined (null in JSON).
        assert.deepEqual(c.responses.map((v) => v ?? null), [want], `${c.node}'s serverSideEmitWithAck answers`);
      }
    }
    if (nodes.length) {
      assert.ok(controls.length >= 3 * nodes.length, `control commands ran: ${controls.length}`);
      // After the load too: a Node server's own requests still complete fast.
      for (const node of nodes) {
        const r = await node.control({ cmd: "serverSideEmitWithAck", event: "hello", args: [2] });
        assert.equal(r.error, undefined, `${node.name}: ${r.error}`);
        assert.ok(r.ms < FAST_MS, `${node.name}'s serverSideEmitWithAck took ${r.ms} ms`);
      }
    }
  });
}
