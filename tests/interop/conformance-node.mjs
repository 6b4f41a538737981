// Runs every case of conformance-cases.json through the REAL @socket.io/redis-emitter 5.1.0 on a node-redis
// client, in order. After each case it publishes a marker on MARKER_KEY#/# (payload: the case index as text) on
// the same connection, so the commands a case produced can be attributed by a subscriber.
//
//   node conformance-node.mjs REDIS_URL [CASES_JSON] [MARKER_KEY]
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { INTEROP_DIR, load } from "./lib/packages.mjs";

export const MARKER_KEY = "sio-interop-marker";

// JSON.parse(args_json), then {"$bin":"hex"} -> Buffer and {"$date":ms} -> Date, anywhere in the tree.
export function buildArgs(argsJson) {
  const args = JSON.parse(argsJson);
  if (!Array.isArray(args)) throw new Error(`args_json is not an array: ${argsJson.slice(0, 80)}`);
  return args.map(replaceMarkers);
}

function replaceMarkers(v) {
  if (Array.isArray(v)) return v.map(replaceMarkers);
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$bin" && typeof v.$bin === "string") return Buffer.from(v.$bin, "hex");
    if (keys.length === 1 && keys[0] === "$date" && typeof v.$date === "number") return new Date(v.$date);
    // Rebuild in place so JSON.parse's property order (and __proto__ as an own key) is kept.
    for (const k of keys) {
      Object.defineProperty(v, k, { value: replaceMarkers(v[k]), enumerable: true, writable: true, configurable: true });
    }
    return v;
  }
  return v;
}

export function loadCases(file = join(INTEROP_DIR, "conformance-cases.json")) {
  return JSON.parse(readFileSync(file, "utf8")).cases;
}

// Applies one case to a real Emitter (the emitter publishes without awaiting; node-redis keeps command order).
export function runCase(Emitter, client, c) {
  let target = new Emitter(client, c.key !== undefined ? { key: c.key } : undefined);
  if (c.nsp !== undefined) target = target.of(c.nsp);
  for (const [call, arg] of c.chain ?? []) {
    switch (call) {
      case "to":
        target = target.to(arg);
        break;
      case "in":
        target = target.in(arg);
        break;
      case "except":
        target = target.except(arg);
        break;
      case "volatile":
        target = target.volatile;
        break;
      case "compress":
        target = target.compress(arg);
        break;
      default:
        throw new Error(`case ${c.name}: unknown chain call ${call}`);
    }
  }
  switch (c.op) {
    case "emit":
      target.emit(c.event, ...buildArgs(c.args_json ?? "[]"));
      break;
    case "socketsJoin":
      target.socketsJoin(c.rooms);
      break;
    case "socketsLeave":
      target.socketsLeave(c.rooms);
      break;
    case "disconnectSockets":
      if (c.close === undefined) target.disconnectSockets();
      else target.disconnectSockets(c.close);
      break;
    case "serverSideEmit":
      if ((c.chain ?? []).length) throw new Error(`case ${c.name}: serverSideEmit exists only on the Emitter`);
      target.serverSideEmit(c.event, ...buildArgs(c.args_json ?? "[]"));
      break;
    default:
      throw new Error(`case ${c.name}: unknown op ${c.op}`);
  }
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
