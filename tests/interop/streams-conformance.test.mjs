// sio's streams mode (public C++ API) against what the REAL @socket.io/redis-streams-adapter 0.3.1 writes itself.
//
// Reference: a real socket.io 4.8.4 Server on the streams adapter running the same cases as application code
// (adapter-reference-node.mjs). Ours: sio-conformance-publisher --mode streams. A MONITOR connection records
// every command of both sides with exact bytes (markers split them per case); XRANGE reads each entry back.
//
// sio writes the entries of the official streams emitter (PROTOCOL.md §5.3: uid "emitter", packet.nsp set, opts
// {rooms, flags, except}, socket management with flags {}, serverSideEmit in the stream too), which the adapter's
// readers take like their own. A server's own entries differ from that in exactly these ways (FORMAT_DIFFERENCES):
// the test rewrites each reference message into the emitter's form by those rules only, then requires sio's XADD
// to be identical to it: same stream, MAXLEN ~ N *, field names and order, nsp, type, and the data field byte for
// byte (JSON, or base64 of @msgpack/msgpack with binary). Which rule changed what is reported as a diagnostic.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { INTEROP_DIR, checkInstalled, load } from "./lib/packages.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { startMonitor } from "./lib/monitor.mjs";
import { describeMismatch } from "./lib/case-capture.mjs";
import { writeAdapterCases, nspOf, captureReference, captureOurs, oneCommandEach, finishComparison } from "./lib/adapter-cases.mjs";

const MARKER_KEY = "sio-interop-marker";
const TYPE_BROADCAST = 3;
const TYPE_SERVER_SIDE_EMIT = 9;

// The adapter's settings per run: the defaults, then a named, sharded stream set (streamCount 3 spreads the
// namespaces over socket.io-0..2, and a negative hash names socket.io--1 or --2) with another maxLen.
const CONFIGS = [
  { name: "defaults", streamName: "socket.io", streamCount: 1, maxLen: 10000 },
  { name: "streamName sio-stream, streamCount 3, maxLen 500", streamName: "sio-stream", streamCount: 3, maxLen: 500 },
];

let redis;
let admin;
let monitor;
let adapterCases;
let msgpack; // the @msgpack/msgpack the streams adapter itself uses
const consumed = new Map(); // stream -> entries already attributed to an earlier side

before(async () => {
  checkInstalled();
  const adapterRequire = createRequire(createRequire(join(INTEROP_DIR, "package.json")).resolve("@socket.io/redis-streams-adapter"));
  msgpack = adapterRequire("@msgpack/msgpack");
  adapterCases = writeAdapterCases();
  redis = await startRedis();
  monitor = await startMonitor(redis.port);
  const { createClient } = load("redis");
  admin = createClient({ url: redis.url });
  admin.on("error", () => {});
  await admin.connect();
});

after(async () => {
  if (admin) await admin.disconnect().catch(() => {});
  if (monitor) await monitor.stop();
  if (redis) await redis.stop();
  adapterCases?.remove();
});

// Adds to every XADD of a side `entry`: [id, [field, value, ...]] as XRANGE returns it, read back after the side ran.
async function readBack(groups) {
  const xadds = groups.flat().filter((c) => c.verb === "XADD");
  const byStream = new Map();
  for (const c of xadds) {
    const stream = c.args[1].toString("utf8");
    if (!byStream.has(stream)) byStream.set(stream, []);
    byStream.get(stream).push(c);
  }
  for (const [stream, commands] of byStream) {
    const entries = await admin.sendCommand(["XRANGE", stream, "-", "+"]);
    const from = consumed.get(stream) ?? 0;
    assert.equal(entries.length - from, commands.length, `${stream}: ${entries.length - from} new entries for ${commands.length} XADDs`);
    commands.forEach((c, k) => (c.entry = entries[from + k]));
    consumed.set(stream, entries.length);
  }
}

const hasBinary = (v) =>
  v instanceof Uint8Array || (Array.isArray(v) ? v.some(hasBinary) : v !== null && typeof v === "object" && !(v instanceof Date) && Object.values(v).some(hasBinary));

// The official streams emitter's data for the message a server wrote, and which of FORMAT_DIFFERENCES applied.
function toEmitterForm(type, data, nsp) {
  const applied = [];
  if (type === TYPE_BROADCAST) {
    const { packet, opts } = data;
    if (!("nsp" in packet)) applied.push("packet-nsp");
    if (Object.keys(opts).join() !== "rooms,flags,except") applied.push("opts-order");
    return { data: { packet: { ...packet, nsp }, opts: { rooms: opts.rooms, flags: opts.flags, except: opts.except } }, applied };
  }
  if (data.opts) {
    if (Object.keys(data.opts.flags).length) applied.push("management-flags");
    return { data: { ...data, opts: { rooms: data.opts.rooms, except: data.opts.except, flags: {} } }, applied };
  }
  return { data, applied };
}

const FORMAT_DIFFERENCES = {
  "packet-nsp": "broadcast: the server's data.packet has no nsp (the emitter sets it)",
  "opts-order": "broadcast: the server's opts are {rooms, except, flags} (the emitter writes {rooms, flags, except})",
  "management-flags": "socketsJoin/Leave/disconnectSockets: the server sends its operator's flags (the emitter {})",
  "sse-pubsub": "serverSideEmit: the server PUBLISHes it, @msgpack/msgpack-encoded, on <prefix>#<nsp># instead of XADD",
};

// The data field as a writer encodes it: JSON.stringify, or base64(@msgpack/msgpack) when there is binary.
const encodeData = (data) => (hasBinary(data) ? Buffer.from(msgpack.encode(data)).toString("base64") : JSON.stringify(data));

const fieldsOf = (xadd) => xadd.args.slice(6).map((b) => b.toString("utf8"));

// The reference's message for case `c`: { type, nsp, uid, data } from its XADD (checked against the entry read back
// with XRANGE), or from its PUBLISH for a serverSideEmit.
function referenceMessage(c, cmd, key) {
  if (cmd.verb === "PUBLISH") {
    assert.equal(cmd.args[1].toString("utf8"), `${key}#${nspOf(c)}#`, `case "${c.name}": the adapter's serverSideEmit channel`);
    const m = msgpack.decode(cmd.args[2]);
    assert.deepEqual(Object.keys(m), ["type", "data", "uid", "nsp"]);
    return { type: m.type, nsp: m.nsp, uid: m.uid, data: m.data, raw: undefined };
  }
  const fields = fieldsOf(cmd);
  assert.deepEqual(cmd.entry[1], fields, `case "${c.name}": the reference entry read back with XRANGE`);
  assert.deepEqual(fields.filter((_, k) => k % 2 === 0), ["uid", "nsp", "type", "data"], `case "${c.name}": the adapter's fields`);
  const [, uid, , nsp, , type, , raw] = fields;
  const data = raw.startsWith("{") ? JSON.parse(raw) : msgpack.decode(Buffer.from(raw, "base64"));
  // The round trip through decode + encode is exact, so only toEmitterForm's rules change the bytes compared.
  assert.equal(encodeData(data), raw, `case "${c.name}": the reference data does not survive decode + encode`);
  return { type: Number(type), nsp, uid, data, raw };
}

for (const config of CONFIGS) {
  test(`streams (${config.name}): sio's XADD entries are the adapter's own, in the official emitter's form`, async (t) => {
    const { cases, file } = adapterCases;
    const streamArgs = ["--stream-name", config.streamName, "--stream-count", String(config.streamCount), "--max-len", String(config.maxLen)];
    const both = { redisUrl: redis.url, cases, file, markerKey: MARKER_KEY }; // what the two sides share
    const reference = await captureReference(monitor, {
      ...both,
      side: `Node streams adapter (${config.name})`,
      adapterArgs: ["--adapter", "streams", ...streamArgs],
    });
    const { uids } = reference;
    await readBack(reference.groups);

    const ours = await captureOurs(monitor, {
      ...both,
      side: `C++ publisher (streams, ${config.name})`,
      modeArgs: ["--mode", "streams", ...streamArgs],
    });
    await readBack(ours.groups.slice(0, cases.length));

    const differences = Object.fromEntries(Object.keys(FORMAT_DIFFERENCES).map((k) => [k, 0]));
    const streams = new Set();
    let identical = 0;
    for (const [i, c] of cases.entries()) {
      await t.test(c.name, () => {
        const [r, o] = oneCommandEach(reference, ours, i, c);
        const sse = c.op === "serverSideEmit";
        assert.equal(r.verb, sse ? "PUBLISH" : "XADD", `case "${c.name}": the adapter's command`);
        assert.equal(o.verb, "XADD", `case "${c.name}": sio's command`);

        const m = referenceMessage(c, r, c.key ?? "socket.io");
        assert.equal(m.uid, uids[i], `case "${c.name}": the reference carries its adapter's uid`);
        const expected = toEmitterForm(m.type, m.data, m.nsp);
        if (sse) expected.applied.push("sse-pubsub");
        for (const k of expected.applied) differences[k]++;

        // The command up to the fields: XADD <stream> MAXLEN ~ <maxLen> *. A serverSideEmit has no reference
        // XADD: sio writes it where the adapter writes that namespace's other messages.
        const head = (cmd) => cmd.args.slice(0, 6).map((b) => b.toString("utf8"));
        const refHead = sse ? head(reference.groups.flat().find((x) => x.verb === "XADD" && x.args[9].toString("utf8") === m.nsp) ?? { args: [] }) : head(r);
        if (refHead.length) assert.deepEqual(head(o), refHead, `case "${c.name}": stream and trimming`);
        else assert.equal(head(o).join(" "), `XADD ${streamFor(m.nsp, config)} MAXLEN ~ ${config.maxLen} *`);
        streams.add(head(o)[1]);

        const fields = fieldsOf(o);
        assert.deepEqual(o.entry[1], fields, `case "${c.name}": sio's entry read back with XRANGE`);
        assert.deepEqual(fields.filter((_, k) => k % 2 === 0), ["uid", "nsp", "type", "data"], `case "${c.name}": sio's fields`);
        const [, uid, , nsp, , type, , data] = fields;
        // The uid is normalised away (a server writes its random adapter uid, sio "emitter"); it must not be a server's.
        assert.ok(!uids.includes(uid), `case "${c.name}": sio's uid ${uid} is a server's`);
        assert.deepEqual([nsp, type], [m.nsp, String(m.type)], `case "${c.name}": nsp, type`);
        const want = encodeData(expected.data);
        if (want !== data) {
          const bytes = (s) => (s.startsWith("{") ? Buffer.from(s, "utf8") : Buffer.from(s, "base64"));
          assert.fail(describeMismatch(c.name, `data (${want.startsWith("{") ? "JSON" : "msgpack, base64-decoded"})`,
            bytes(want), bytes(data), "the adapter's message in the emitter's form"));
        }
        identical++;
      });
    }
    const summary = Object.entries(differences).map(([k, n]) => `${n}× ${FORMAT_DIFFERENCES[k]}`);
    t.diagnostic(`streams (${config.name}): the adapter's own entries vs the official emitter form: ${summary.join("; ")}`);
    t.diagnostic(`streams written: ${[...streams].sort().join(", ")}`);
    finishComparison(t, {
      ours,
      monitor,
      identical,
      caseCount: cases.length,
      line: `streams (${config.name}): ${identical}/${cases.length} identical to the adapter's message in the emitter's form`,
    });
    if (config.streamCount > 1) assert.ok(streams.size > 1, "streamCount > 1 spread the namespaces over several streams");
  });
}

// computeStreamName() of the adapter, for a namespace whose stream the reference never wrote to in this run.
function streamFor(nsp, { streamName, streamCount }) {
  if (streamCount === 1) return streamName;
  let hash = 0;
  for (let k = 0; k < nsp.length; k++) hash = (hash * 31 + nsp.charCodeAt(k)) | 0;
  return `${streamName}-${hash % streamCount}`;
}
