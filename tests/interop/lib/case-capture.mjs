// Splits what a recorder (a MONITOR connection, or a PSUBSCRIBE * subscriber) saw into one group of publishing
// commands per case: each side (the Node reference or the C++ publisher) runs its cases in order and publishes a
// marker (PUBLISH <markerKey>#/#) after each one, so every PUBLISH, SPUBLISH or XADD between two markers belongs to
// the case of the second.
import assert from "node:assert/strict";
import { load } from "./packages.mjs";
import { waitFor } from "./proc.mjs";

const PUBLISHING = new Set(["PUBLISH", "SPUBLISH", "XADD"]);

const verbOf = (cmd) => cmd.args[0].toString("latin1").toUpperCase();

// The case index a marker carries: text for a Node side, a classic emit("case", i) from sio-conformance-publisher.
function markerIndex(payload) {
  if (payload[0] === 0x93) return load("notepack.io").decode(payload)[1].data[1];
  return Number(payload.toString("utf8"));
}

// Runs `publish()` (resolving to a proc.mjs run() result), then splits seen(), what arrived since it was called, into
// { result, groups, trailing }: groups[i] the commands of case i, trailing what came after the last marker.
// `isMarker` and `markerPayload` say how a recorder's entries show a marker and its index.
export async function captureGroups({ side, caseCount, publish, seen, isMarker, markerPayload }) {
  const result = await publish();
  if (result.code === 0 || result.code === 1) {
    // It went through every case (1 = some call was refused): all markers ran, so they are reported or on their way.
    await waitFor(() => seen().filter(isMarker).length >= caseCount, {
      timeoutMs: 10000,
      message: `${side}: ${caseCount} markers (got ${seen().filter(isMarker).length}); stderr:\n${result.stderr}`,
    });
  } else {
    await new Promise((r) => setTimeout(r, 500)); // stopped early: take what arrived; the per-case checks say where
  }
  const groups = [];
  let current = [];
  for (const c of seen()) {
    if (isMarker(c)) {
      assert.equal(markerIndex(markerPayload(c)), groups.length, `${side}: marker out of order`);
      groups.push(current);
      current = [];
    } else {
      current.push(c);
    }
  }
  return { result, groups, trailing: current };
}

// captureGroups over a MONITOR connection: groups[i] are the commands of case i as { verb, args }.
export function captureCases(monitor, { side, caseCount, markerKey, publish }) {
  const markerChannel = `${markerKey}#/#`;
  const start = monitor.commands.length;
  return captureGroups({
    side,
    caseCount,
    publish,
    seen: () =>
      monitor.commands.slice(start).map((c) => ({ verb: verbOf(c), args: c.args })).filter((c) => PUBLISHING.has(c.verb)),
    isMarker: (c) => c.verb === "PUBLISH" && c.args[1].toString("utf8") === markerChannel,
    markerPayload: (c) => c.args[2],
  });
}

// What sio-conformance-publisher wrote on stderr about case i, one "\n"-led line each, to append to a message.
export const stderrOfCase = (stderr, i) =>
  stderr.split("\n").filter((l) => l.startsWith(`case ${i} `)).map((l) => `\n${l}`).join("");

function hexDump(buf, from = 0, to = buf.length) {
  const lines = [];
  for (let off = from - (from % 16); off < to; off += 16) {
    const row = buf.subarray(off, Math.min(off + 16, to));
    lines.push(`    ${off.toString().padStart(6)}  ${[...row].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`);
  }
  return lines.join("\n");
}

// Both byte strings in hex (in full up to 1 KiB, else a window around the first differing byte).
export function describeMismatch(caseName, what, reference, ours, referenceName = "Node adapter") {
  let first = 0;
  while (first < reference.length && first < ours.length && reference[first] === ours[first]) first++;
  const full = reference.length <= 1024 && ours.length <= 1024;
  const from = full ? 0 : Math.max(0, first - 64);
  const to = (b) => (full ? b.length : Math.min(b.length, first + 64));
  return [
    `case "${caseName}": ${what} differs (${referenceName} ${reference.length} bytes, C++ ${ours.length} bytes, ` +
      `first difference at byte ${first})`,
    `  ${referenceName}:${full ? "" : ` bytes ${from}..${to(reference)}`}`,
    hexDump(reference, from, to(reference)),
    `  C++ sio:${full ? "" : ` bytes ${from}..${to(ours)}`}`,
    hexDump(ours, from, to(ours)),
  ].join("\n");
}
