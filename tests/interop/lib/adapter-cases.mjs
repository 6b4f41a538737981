// The cases of the sharded and streams conformance tests: every case of conformance-cases.json (the classic
// emitter's) plus adapter-cases.json (room channels, socket-id-like rooms, binary with rooms and flags), written to
// one temporary file that both publishers read; and the steps both tests share around them.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INTEROP_DIR } from "./packages.mjs";
import { run, binaryFromEnv } from "./proc.mjs";
import { captureCases, stderrOfCase } from "./case-capture.mjs";
import { loadCases } from "../conformance-node.mjs";

export function writeAdapterCases() {
  const cases = [
    ...loadCases(join(INTEROP_DIR, "conformance-cases.json")),
    ...loadCases(join(INTEROP_DIR, "adapter-cases.json")),
  ];
  const dir = mkdtempSync(join(tmpdir(), "sio-adapter-cases-"));
  const file = join(dir, "cases.json");
  writeFileSync(file, JSON.stringify({ cases }));
  return { cases, file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// The namespace a case publishes to, as socket.io's of() and sio's of() name it ("admin" -> "/admin").
export const nspOf = (c) => (c.nsp === undefined ? "/" : c.nsp.startsWith("/") ? c.nsp : `/${c.nsp}`);

// The uids of the reference side's namespace adapters, one per case, from adapter-reference-node.mjs's stdout.
export function referenceUids(stdout, caseCount) {
  const uids = [];
  for (const line of stdout.split("\n").filter(Boolean)) {
    const { case: i, uid } = JSON.parse(line);
    uids[i] = uid;
  }
  if (uids.length !== caseCount || uids.some((u) => !/^[0-9a-f]{16}$/.test(u))) {
    throw new Error(`adapter-reference-node.mjs reported ${uids.length} uids for ${caseCount} cases:\n${stdout.slice(0, 2000)}`);
  }
  return uids;
}

// Runs adapter-reference-node.mjs (`adapterArgs`: --adapter and its options) over `file` and captures what the real
// adapter published per case; `uids` are its namespace adapters', one per case.
export async function captureReference(monitor, { side, redisUrl, cases, file, markerKey, adapterArgs }) {
  const reference = await captureCases(monitor, {
    side,
    caseCount: cases.length,
    markerKey,
    publish: () =>
      run(process.execPath, [join(INTEROP_DIR, "adapter-reference-node.mjs"), redisUrl, file, markerKey, ...adapterArgs],
        { timeoutMs: 30000 }),
  });
  assert.equal(reference.result.code, 0, `adapter-reference-node.mjs exited ${reference.result.code}:\n${reference.result.stderr}`);
  return { ...reference, uids: referenceUids(reference.result.stdout, cases.length) };
}

// Runs sio-conformance-publisher (`modeArgs`: --mode and its options) over the same file and captures it.
export function captureOurs(monitor, { side, redisUrl, cases, file, markerKey, modeArgs }) {
  const publisher = binaryFromEnv("SIO_CONFORMANCE_PUBLISHER", "sio-conformance-publisher");
  return captureCases(monitor, {
    side,
    caseCount: cases.length,
    markerKey,
    publish: () => run(publisher, [redisUrl, file, markerKey, ...modeArgs], { timeoutMs: 30000 }),
  });
}

// The one command each side published for case i, [reference's, ours]: an adapter publishes one per case.
export function oneCommandEach(reference, ours, i, c) {
  const ref = reference.groups[i];
  const got = ours.groups[i];
  assert.equal(ref.length, 1, `case "${c.name}": the adapter published ${ref.length} commands`);
  assert.ok(got, `case "${c.name}": the C++ publisher stopped before this case\n${ours.result.stderr}`);
  assert.equal(got.length, 1, `case "${c.name}": ${got.length} commands from C++` + stderrOfCase(ours.result.stderr, i));
  return [ref[0], got[0]];
}

// Reports `line` (how many cases were identical), then requires a clean C++ run, and every case identical last so
// a run that went wrong is reported as such first.
export function finishComparison(t, { ours, monitor, identical, caseCount, line }) {
  t.diagnostic(line);
  assert.equal(ours.trailing.length, 0, "the C++ publisher published after its last marker");
  assert.equal(ours.result.code, 0, `sio-conformance-publisher exited ${ours.result.code}:\n${ours.result.stderr}`);
  assert.equal(ours.result.stderr, "", "sio-conformance-publisher printed on stderr");
  assert.deepEqual(monitor.errors, [], "MONITOR lines that did not parse");
  assert.equal(identical, caseCount, line);
}
