// The cases of the sharded and streams conformance tests: every case of conformance-cases.json (the classic
// emitter's) plus adapter-cases.json (room channels, socket-id-like rooms, binary with rooms and flags), written to
// one temporary file that both publishers read.
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INTEROP_DIR } from "./packages.mjs";
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
