// Hostile adapter traffic: whoever can PUBLISH on the gateway's Redis can send garbage on the adapter's channels.
// Each malformed message is dropped, counted (sio_gateway_malformed_messages_total) and logged at warn
// ("malformed adapter message" with the channel and the reason, never the payload), rate-limited: a burst of 1000
// gives a handful of lines, and a later line says how many were suppressed. Messages the Node adapter ignores (own
// uid, another namespace, a room without local sockets, an unknown request type) are not malformed: no warn line.
// Through all of it a user connected before keeps its connection and receives its notifications.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, load, metrics, bystander, assertServing } from "./harness.mjs";

const SECRET = "e2e-hostile-adapter-secret-0123456789";
const BROADCAST = "socket.io#/#";  // the namespace channel of "/"
const REQUEST = "socket.io-request#/#";
const MSG = "malformed adapter message";
const THROTTLE_LINES = 5;  // the gateway lets 5 lines of one message through per 10 s
const THROTTLE_INTERVAL_MS = 10000;
const BURST = 1000;
// In every hostile payload: it must never show up in the gateway's logs.
const MARKER = "user-data-that-must-not-be-logged";

const h = new Harness();
let g;
let b;

const malformedLines = (from = 0) => g.logs.slice(from).filter((l) => l.msg === MSG);
const publish = (channel, payload) => h.admin.publish(Buffer.from(channel), Buffer.from(payload));
const msgpack = (v) => Buffer.from(load("notepack.io").encode(v));

before(async () => {
  await h.start();
  g = await h.startGateway({ auth: "jwt", args: ["--jwt-secret", SECRET] });
  b = await bystander(h, g, { secret: SECRET });
});

after(() => h.close());

test("ignored messages (own uid, another namespace, unknown room, unknown request type) are not logged at warn", async () => {
  const uid = g.logs.find((l) => l.msg === "redis connected" && l.uid)?.uid;
  assert.equal(typeof uid, "string", `no uid in "redis connected": ${g.stderr}`);
  const from = g.logs.length;
  const before = await metrics(g);
  const packet = { type: 2, data: ["e", MARKER], nsp: "/" };
  const opts = { rooms: [], except: [], flags: {} };
  await publish(BROADCAST, msgpack([uid, packet, opts]));
  await publish(BROADCAST, msgpack(["attacker", { ...packet, nsp: "/admin" }, opts]));
  await publish(`${BROADCAST}nobody#`, Buffer.from([0xc1]));  // Node drops it before decoding: no local socket there
  await publish(REQUEST, JSON.stringify({ uid: "attacker", requestId: "q1", type: 99, marker: MARKER }));
  await publish(REQUEST, JSON.stringify({ uid, requestId: "q2", type: 6, data: ["sse", MARKER] }));
  // The gateway handles what arrives on its subscription in order: once the bystander has this, all of the above
  // were handled.
  const m = h.mark();
  await h.notify(["--user", b.userId, "--type", "AFTER_IGNORED"]);
  await h.waitReceived(m, [b.client], 1, "the notification after the ignored messages");
  await sleep(QUIET_MS);
  const after = await metrics(g);
  assert.equal(after.sio_gateway_malformed_messages_total, before.sio_gateway_malformed_messages_total, "counted as malformed");
  assert.equal(after.sio_gateway_broadcasts_ignored_total - before.sio_gateway_broadcasts_ignored_total, 3, "broadcasts ignored");
  const warned = g.logs.slice(from).filter((l) => l.level === "warn");
  assert.deepEqual(warned, [], "warn lines for ignored messages");
});

test("each malformed message is logged at warn with its channel and reason, never its payload, and counted", async () => {
  const cases = [
    { what: "broadcast: not msgpack", channel: BROADCAST, payload: Buffer.from([0xc1]), reason: /msgpack/ },
    { what: "broadcast: msgpack of a wrong shape", channel: BROADCAST, payload: msgpack({ marker: MARKER }), reason: /not an array/ },
    {
      what: "broadcast: opts missing",
      channel: BROADCAST,
      payload: msgpack(["attacker", { type: 2, data: ["e", MARKER], nsp: "/" }]),
      reason: /opts missing/,
    },
    { what: "request: not JSON", channel: REQUEST, payload: Buffer.from(`{"marker": ${MARKER}`), reason: /JSON/ },
    {
      what: "request: JSON of a wrong shape (fetchSockets without opts)",
      channel: REQUEST,
      payload: Buffer.from(JSON.stringify({ uid: "attacker", requestId: "q3", type: 5, marker: MARKER })),
      reason: /opts missing/,
    },
  ];
  assert.ok(cases.length <= THROTTLE_LINES, "more cases than the throttle lets through: later ones would be suppressed");
  const before = await metrics(g);
  for (const c of cases) {
    const from = g.logs.length;
    await publish(c.channel, c.payload);
    await waitFor(() => malformedLines(from).length > 0, { message: `${c.what}: a "${MSG}" line` });
    await sleep(QUIET_MS);
    const lines = malformedLines(from);
    assert.equal(lines.length, 1, `${c.what}: ${JSON.stringify(lines)}`);
    const [line] = lines;
    assert.equal(line.level, "warn", `${c.what}: ${JSON.stringify(line)}`);
    assert.equal(line.channel, c.channel, `${c.what}: ${JSON.stringify(line)}`);
    assert.match(line.reason, c.reason, `${c.what}: ${JSON.stringify(line)}`);
    assert.equal(line.bytes, c.payload.length, `${c.what}: ${JSON.stringify(line)}`);
    assert.equal(line.suppressed, undefined, `${c.what}: nothing was suppressed yet: ${JSON.stringify(line)}`);
  }
  const after = await metrics(g);
  assert.equal(after.sio_gateway_malformed_messages_total - before.sio_gateway_malformed_messages_total, cases.length);
  assert.ok(!g.stderr.includes(MARKER), `a payload reached the logs:\n${g.stderr}`);
});

test(`${BURST} malformed messages in a burst give a bounded number of warn lines, and a later one counts the suppressed`, async () => {
  const from = g.logs.length;
  const before = await metrics(g);
  const garbage = [];
  for (let i = 0; i < BURST; i++) {
    garbage.push(i % 2 ? publish(BROADCAST, Buffer.from([0xc1])) : publish(REQUEST, `{"marker": ${MARKER}`));
  }
  await Promise.all(garbage);  // node-redis pipelines them
  let sent = BURST;
  const counted = async () => (await metrics(g)).sio_gateway_malformed_messages_total - before.sio_gateway_malformed_messages_total;
  await waitFor(async () => (await counted()) === sent, { timeoutMs: 10000, intervalMs: 50, message: `${BURST} malformed messages counted` });
  await sleep(QUIET_MS);
  const burstLines = malformedLines(from).length;
  console.log(`# ${BURST} malformed messages: ${burstLines} warn lines`);
  assert.ok(burstLines <= THROTTLE_LINES + 1, `${burstLines} "${MSG}" lines for a burst of ${BURST}`);

  // Once the interval is over, the next malformed message is logged again, with the number suppressed meanwhile.
  const deadline = Date.now() + THROTTLE_INTERVAL_MS + 5000;
  let reported;
  while (!reported) {
    assert.ok(Date.now() < deadline, `no "${MSG}" line with "suppressed" within the throttle's interval:\n${g.stderr}`);
    await publish(BROADCAST, Buffer.from([0xc1]));
    sent++;
    await waitFor(() => (reported = malformedLines(from).find((l) => l.suppressed !== undefined)), { timeoutMs: 1000 }).catch(() => {});
  }
  console.log(`# then: ${JSON.stringify(reported)}`);
  assert.equal(reported.level, "warn");
  assert.ok(Number.isInteger(reported.suppressed) && reported.suppressed > 0, JSON.stringify(reported));
  // Nothing lost: every malformed message since the gateway started is a line, or counted in a later line's
  // "suppressed" (the last one sent was a line: it carries all the suppressed before it).
  await waitFor(async () => (await counted()) === sent, { timeoutMs: 5000, intervalMs: 50, message: "the last malformed messages counted" });
  await sleep(QUIET_MS);
  const total = (await metrics(g)).sio_gateway_malformed_messages_total;
  const accounted = malformedLines().reduce((n, l) => n + 1 + (l.suppressed ?? 0), 0);
  assert.equal(accounted, total, `lines plus suppressed vs sio_gateway_malformed_messages_total`);
  assert.ok(!g.stderr.includes(MARKER), "a payload reached the logs");
});

test("the gateway still serves its users after the adapter garbage", async () => {
  await assertServing(h, g, b, "adapter garbage");
});
