// Runs every case of conformance-cases.json through the REAL @socket.io/redis-emitter 5.1.0 on a node-redis
// client, in order. After each case it publishes a marker on MARKER_KEY#/# (payload: the case index as text) on
// the same connection, so the commands a case produced can be attributed by a subscriber.
//
//   node conformance-node.mjs REDIS_URL [CASES_JSON] [MARKER_KEY]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { INTEROP_DIR, load } from "./lib/packages.mjs";
import { applyCase } from "./lib/run-case.mjs";

export const MARKER_KEY = "sio-interop-marker";

export function loadCases(file = join(INTEROP_DIR, "conformance-cases.json")) {
  return JSON.parse(readFileSync(file, "utf8")).cases;
}

// Applies one case to a real Emitter (the emitter publishes without awaiting; node-redis keeps command order).
export function runCase(Emitter, client, c) {
  let start = new Emitter(client, c.key !== undefined ? { key: c.key } : undefined);
  if (c.nsp !== undefined) start = start.of(c.nsp);
  applyCase(start, c, { noChain: "exists only on the Emitter" });
}

export async function runAll(redisUrl, cases, markerKey = MARKER_KEY) {
  const { Emitter } = load("@socket.io/redis-emitter");
  const { createClient } = load("redis");
  const client = createClient({ url: redisUrl });
  client.on("error", (e) => {
    console.error(`conformance-node: redis error: ${e.message}`);
    process.exitCode = 1;
  });
  await client.connect();
  try {
    for (const [i, c] of cases.entries()) {
      runCase(Emitter, client, c);
      // Same connection, so it is executed after the case's PUBLISH; awaiting it also means the case's command
      // got its reply.
      await client.publish(`${markerKey}#/#`, String(i));
    }
  } finally {
    await client.quit();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [redisUrl, casesFile, markerKey] = process.argv.slice(2);
  if (!redisUrl) {
    console.error("usage: node conformance-node.mjs REDIS_URL [CASES_JSON] [MARKER_KEY]");
    process.exit(2);
  }
  await runAll(redisUrl, loadCases(casesFile), markerKey ?? MARKER_KEY);
}
