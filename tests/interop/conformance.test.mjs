// Byte identity of the sio C++ public API with the real @socket.io/redis-emitter 5.1.0.
//
// A real redis-server; a raw PSUBSCRIBE * subscriber (node-redis, buffers) records [channel, payload] of every
// PUBLISH. The cases of conformance-cases.json run first through the Node emitter (conformance-node.mjs), then
// through the C++ API (sio-conformance-publisher, path in SIO_CONFORMANCE_PUBLISHER). Both publish a marker on
// sio-interop-marker#/# after each case, so every command is attributed to its case. For each case: same number
// of commands, same channels, same payload bytes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { INTEROP_DIR, checkInstalled, load } from "./lib/packages.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { run, binaryFromEnv } from "./lib/proc.mjs";
import { captureGroups, describeMismatch, stderrOfCase } from "./lib/case-capture.mjs";
import { loadCases, MARKER_KEY } from "./conformance-node.mjs";

const CASES_FILE = join(INTEROP_DIR, "conformance-cases.json");
const cases = loadCases(CASES_FILE);
const vectors = JSON.parse(readFileSync(join(INTEROP_DIR, "..", "data", "protocol-vectors.json"), "utf8"));

let redis;
let sub;
const captures = []; // { channel: Buffer, payload: Buffer }
let nodeGroups; // per case: [{channel, payload}] from the Node emitter

const NODE_SIDE = "node emitter";
const isMarker = (m) => m.channel.toString("utf8").startsWith(`${MARKER_KEY}#`);

// Publishes one side and splits what the subscriber got since into one group of { channel, payload } per case.
function capture(side, publish) {
  const start = captures.length;
  return captureGroups({
    side,
    caseCount: cases.length,
    publish,
    seen: () => captures.slice(start),
    isMarker,
    markerPayload: (m) => m.payload,
  });
}

before(async () => {
  checkInstalled();
  const { createClient } = load("redis");
  redis = await startRedis();
  sub = createClient({ url: redis.url });
  sub.on("error", () => {});
  await sub.connect();
  await sub.pSubscribe("*", (payload, channel) => captures.push({ channel, payload }), true);

  const node = await capture(NODE_SIDE, () =>
    run(process.execPath, [join(INTEROP_DIR, "conformance-node.mjs"), redis.url, CASES_FILE, MARKER_KEY], { timeoutMs: 60000 }),
  );
  if (node.result.code !== 0) {
    throw new Error(`conformance-node.mjs failed (exit ${node.result.code}):\n${node.result.stderr}`);
  }
  nodeGroups = node.groups;
});

after(async () => {
  if (sub) await sub.disconnect().catch(() => {});
  if (redis) await redis.stop();
});

test("the cases cover every operation and flag order (at least 45 cases)", () => {
  assert.ok(cases.length >= 45, `only ${cases.length} cases`);
  const ops = new Set(cases.map((c) => c.op));
  for (const op of ["emit", "socketsJoin", "socketsLeave", "disconnectSockets", "serverSideEmit"]) assert.ok(ops.has(op), op);
  const orders = cases.map((c) => (c.chain ?? []).map(([call]) => call).filter((x) => x === "volatile" || x === "compress").join(","));
  assert.ok(orders.includes("volatile,compress") && orders.includes("compress,volatile"));
});

test("the Node emitter publishes exactly one command per case", () => {
  assert.equal(nodeGroups.length, cases.length);
  for (const [i, c] of cases.entries()) assert.equal(nodeGroups[i].length, 1, `case "${c.name}"`);
});

test("harness sanity: the Node emitter reproduces protocol-vectors.json entries 1-18", () => {
  const checked = [];
  for (const [i, c] of cases.entries()) {
    if (c.vector === undefined) continue;
    const v = vectors[c.vector - 1];
    assert.ok(v && c.vector <= 18, `case "${c.name}": no vector ${c.vector}`);
    const [m] = nodeGroups[i];
    assert.equal(v.command, "PUBLISH");
    assert.equal(m.channel.toString("utf8"), v.channel, `case "${c.name}": channel of vector ${c.vector}`);
    assert.equal(m.payload.toString("hex"), v.payload_hex, `case "${c.name}": payload of vector ${c.vector}`);
    assert.equal(m.payload.length, v.length);
    checked.push(c.vector);
  }
  // 11 needs `undefined`, which a JSON case cannot carry.
  assert.deepEqual(checked.sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18]);
});

test("the C++ sio public API publishes byte-identical commands", async (t) => {
  const publisher = binaryFromEnv("SIO_CONFORMANCE_PUBLISHER", "sio-conformance-publisher");
  const cpp = await capture("C++ publisher", () =>
    run(publisher, [redis.url, CASES_FILE, MARKER_KEY], { timeoutMs: 60000 }),
  );
  let identical = 0;
  for (const [i, c] of cases.entries()) {
    await t.test(c.name, () => {
      const node = nodeGroups[i];
      const ours = cpp.groups[i];
      assert.ok(ours, `case "${c.name}": the C++ publisher stopped before this case\n${cpp.result.stderr}`);
      assert.equal(ours.length, node.length,
        `case "${c.name}": ${ours.length} commands from C++, ${node.length} from the Node emitter` +
          stderrOfCase(cpp.result.stderr, i));
      for (const [k, m] of node.entries()) {
        const nodeChannel = m.channel.toString("utf8");
        const cppChannel = ours[k].channel.toString("utf8");
        assert.equal(cppChannel, nodeChannel,
          !m.channel.equals(ours[k].channel) ? describeMismatch(c.name, "channel", m.channel, ours[k].channel, NODE_SIDE) : "");
        if (!m.payload.equals(ours[k].payload)) assert.fail(describeMismatch(c.name, "payload", m.payload, ours[k].payload, NODE_SIDE));
      }
      identical++;
    });
  }
  const line = `conformance: ${identical}/${cases.length} byte-identical`;
  t.diagnostic(line);
  assert.equal(cpp.trailing.length, 0, "the C++ publisher published after its last marker");
  assert.equal(cpp.result.code, 0, `sio-conformance-publisher exited ${cpp.result.code}:\n${cpp.result.stderr}`);
  assert.equal(cpp.result.stdout, "", "sio-conformance-publisher printed on stdout");
  assert.equal(cpp.result.stderr, "", "sio-conformance-publisher printed on stderr");
  assert.equal(identical, cases.length, line);
});
