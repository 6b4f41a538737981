// Byte identity of sio's sharded mode (public C++ API) with what the REAL sharded adapter publishes itself.
//
// Reference: a real socket.io 4.8.4 Server on createShardedAdapter (@socket.io/redis-adapter 8.3.0), in each
// subscription mode, running the same cases as application code (adapter-reference-node.mjs). Ours:
// sio-conformance-publisher --mode sharded --subscription-mode M. A MONITOR connection records every command of
// both sides with its exact bytes; markers split them per case. For each case: one SPUBLISH on each side, on the
// same channel, with the same payload once the publisher's uid is replaced by a placeholder in both (a server
// puts its random adapter uid there, sio its own: receivers only use it to skip their own messages).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { checkInstalled, load } from "./lib/packages.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { startMonitor } from "./lib/monitor.mjs";
import { describeMismatch } from "./lib/case-capture.mjs";
import { writeAdapterCases, nspOf, captureReference, captureOurs, oneCommandEach, finishComparison } from "./lib/adapter-cases.mjs";

const MARKER_KEY = "sio-interop-marker";
const UID_PLACEHOLDER = "<uid>";
const MODES = ["dynamic", "static", "dynamic-private"];

let redis;
let monitor;
let adapterCases;
let notepack;

before(async () => {
  checkInstalled();
  notepack = load("notepack.io");
  adapterCases = writeAdapterCases();
  redis = await startRedis();
  monitor = await startMonitor(redis.port);
});

after(async () => {
  if (monitor) await monitor.stop();
  if (redis) await redis.stop();
  adapterCases?.remove();
});

// socket.io-adapter adds "uid" then "nsp" last to every message, so both end with the same tail but for the uid's
// value. Returns the uid found and the payload with that tail's uid replaced by UID_PLACEHOLDER (unchanged, with
// `tail: false`, when the message does not end that way: the byte comparison then shows it).
function normaliseUid(payload, nsp) {
  const json = payload[0] === 0x7b;
  const uid = json ? JSON.parse(payload.toString("utf8")).uid : notepack.decode(payload).uid;
  const tail = (u) =>
    json
      ? Buffer.from(`,"uid":${JSON.stringify(u)},"nsp":${JSON.stringify(nsp)}}`, "utf8")
      : Buffer.concat([notepack.encode("uid"), notepack.encode(u), notepack.encode("nsp"), notepack.encode(nsp)]);
  const found = tail(uid);
  const end = payload.subarray(payload.length - found.length);
  if (typeof uid !== "string" || !end.equals(found)) return { uid, payload, tail: false };
  return { uid, payload: Buffer.concat([payload.subarray(0, payload.length - found.length), tail(UID_PLACEHOLDER)]), tail: true };
}

const indexOfCase = (name) => adapterCases.cases.findIndex((c) => c.name === name);

// What the real adapter chose, in this mode, for the cases whose channel depends on it: proof that the mode was
// applied on the reference side, and that every channel choice is exercised.
const EXPECTED_REFERENCE_CHANNELS = {
  "v1 to(user:42) notification": { dynamic: "socket.io#/#user:42#", static: "socket.io#/#", "dynamic-private": "socket.io#/#user:42#" },
  "socket-id-like room (20 ASCII chars)": {
    dynamic: "socket.io#/#",
    static: "socket.io#/#",
    "dynamic-private": "socket.io#/#abcdefghij0123456789#",
  },
  "room of 20 UTF-16 units, 22 bytes (emoji = surrogate pair)": {
    dynamic: "socket.io#/#",
    static: "socket.io#/#",
    "dynamic-private": "socket.io#/#abcdefghij01234567😀#",
  },
  "room of 21 UTF-16 units (emoji)": {
    dynamic: "socket.io#/#abcdefghij012345678😀#",
    static: "socket.io#/#",
    "dynamic-private": "socket.io#/#abcdefghij012345678😀#",
  },
  "v4 two rooms + except": { dynamic: "socket.io#/#", static: "socket.io#/#", "dynamic-private": "socket.io#/#" },
  "v18 key myapp to(r1)": { dynamic: "myapp#/#r1#", static: "myapp#/#", "dynamic-private": "myapp#/#r1#" },
  "binary file to user:42 with a JSON member": {
    dynamic: "socket.io#/#user:42#",
    static: "socket.io#/#",
    "dynamic-private": "socket.io#/#user:42#",
  },
};

for (const mode of MODES) {
  test(`sharded ${mode}: sio publishes what the real sharded adapter publishes (same channel, same bytes)`, async (t) => {
    const { cases, file } = adapterCases;
    const both = { redisUrl: redis.url, cases, file, markerKey: MARKER_KEY }; // what the two sides share
    const reference = await captureReference(monitor, {
      ...both,
      side: `Node sharded adapter (${mode})`,
      adapterArgs: ["--adapter", "sharded", "--subscription-mode", mode],
    });
    const { uids } = reference;
    for (const [name, channels] of Object.entries(EXPECTED_REFERENCE_CHANNELS)) {
      const [m] = reference.groups[indexOfCase(name)];
      assert.equal(m.args[1].toString("utf8"), channels[mode], `reference channel of "${name}" in ${mode} mode`);
    }

    const ours = await captureOurs(monitor, {
      ...both,
      side: `C++ publisher (sharded ${mode})`,
      modeArgs: ["--mode", "sharded", "--subscription-mode", mode],
    });

    let identical = 0;
    for (const [i, c] of cases.entries()) {
      await t.test(c.name, () => {
        const [r, o] = oneCommandEach(reference, ours, i, c);
        assert.equal(r.verb, "SPUBLISH", `case "${c.name}": the adapter's command`);
        assert.equal(o.verb, "SPUBLISH", `case "${c.name}": sio's command`);
        assert.equal(o.args.length, 3);
        if (!r.args[1].equals(o.args[1])) assert.fail(describeMismatch(c.name, "channel", r.args[1], o.args[1]));

        const nsp = nspOf(c);
        const refNorm = normaliseUid(r.args[2], nsp);
        const ourNorm = normaliseUid(o.args[2], nsp);
        assert.equal(refNorm.uid, uids[i], `case "${c.name}": the reference message carries its adapter's uid`);
        assert.ok(refNorm.tail, `case "${c.name}": the reference message does not end with uid, nsp`);
        assert.ok(!uids.includes(ourNorm.uid), `case "${c.name}": sio's uid ${ourNorm.uid} is a server's`);
        if (!refNorm.payload.equals(ourNorm.payload)) {
          assert.fail(describeMismatch(c.name, "payload (uid normalised)", refNorm.payload, ourNorm.payload));
        }
        identical++;
      });
    }
    finishComparison(t, {
      ours,
      monitor,
      identical,
      caseCount: cases.length,
      line: `sharded ${mode}: ${identical}/${cases.length} identical after uid normalisation`,
    });
  });
}
