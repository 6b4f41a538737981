// The reference publisher of the sharded and streams conformance tests: runs every case of a cases file (the
// format of conformance-cases.json) through a REAL socket.io Server on the REAL adapter, as an application would
// (io.of(nsp).to(...).emit(...), socketsJoin, serverSideEmit, ...), so what the adapter publishes for it is what
// sio has to match. One Server per channel prefix (the cases' "key"). After each case it publishes a marker on
// MARKER_KEY#/# (payload: the case index as text) on the connection the adapter publishes with, so a MONITOR
// connection can attribute every command.
//
//   node adapter-reference-node.mjs REDIS_URL CASES_JSON MARKER_KEY --adapter sharded [--subscription-mode M]
//   node adapter-reference-node.mjs REDIS_URL CASES_JSON MARKER_KEY --adapter streams [--stream-name N]
//        [--stream-count C] [--max-len L]
//
// stdout: one line per case {"case":i,"uid":"<the namespace adapter's uid>"}; the test normalises that uid.
import { parseArgs } from "node:util";
import { load } from "./lib/packages.mjs";
import { loadCases } from "./conformance-node.mjs";
import { applyCase } from "./lib/run-case.mjs";

const { positionals, values: opt } = parseArgs({
  allowPositionals: true,
  options: {
    adapter: { type: "string" },
    "subscription-mode": { type: "string", default: "dynamic" },
    "stream-name": { type: "string", default: "socket.io" },
    "stream-count": { type: "string", default: "1" },
    "max-len": { type: "string", default: "10000" },
  },
});
const [redisUrl, casesFile, markerKey] = positionals;
if (!redisUrl || !casesFile || !markerKey || !["sharded", "streams"].includes(opt.adapter)) {
  console.error("usage: node adapter-reference-node.mjs REDIS_URL CASES_JSON MARKER_KEY --adapter sharded|streams ...");
  process.exit(2);
}

const { Server } = load("socket.io");
const { createClient } = load("redis");
const clients = [];

async function newClient() {
  const c = createClient({ url: redisUrl });
  c.on("error", (e) => {
    console.error(`adapter-reference-node: redis error: ${e.message}`);
    process.exitCode = 1;
  });
  await c.connect();
  clients.push(c);
  return c;
}

// A Server whose adapter publishes with `pub` and uses `key` as its channelPrefix.
async function newServer(key) {
  const pub = await newClient();
  let adapter;
  if (opt.adapter === "sharded") {
    const { createShardedAdapter } = load("@socket.io/redis-adapter");
    adapter = createShardedAdapter(pub, await newClient(), {
      channelPrefix: key,
      subscriptionMode: opt["subscription-mode"],
    });
  } else {
    const { createAdapter } = load("@socket.io/redis-streams-adapter");
    adapter = createAdapter(pub, {
      channelPrefix: key,
      streamName: opt["stream-name"],
      streamCount: Number(opt["stream-count"]),
      maxLen: Number(opt["max-len"]),
    });
  }
  return { io: new Server({ adapter }), pub };
}

const servers = new Map(); // channel prefix -> { io, pub }
async function serverFor(key) {
  if (!servers.has(key)) servers.set(key, await newServer(key));
  return servers.get(key);
}

// The case as application code on the server, on its namespace; returns that namespace adapter's uid.
function runCase(io, c) {
  const nsp = io.of(c.nsp ?? "/");
  applyCase(nsp, c, { noChain: "takes no chain" });
  return nsp.adapter.uid;
}

for (const [i, c] of loadCases(casesFile).entries()) {
  const { io, pub } = await serverFor(c.key ?? "socket.io");
  const uid = runCase(io, c);
  // The adapters queue their command synchronously on `pub`; the marker follows it on the same connection.
  await pub.publish(`${markerKey}#/#`, String(i));
  process.stdout.write(JSON.stringify({ case: i, uid }) + "\n");
}
for (const { io } of servers.values()) io.close();
await Promise.allSettled(clients.map((c) => c.disconnect()));
// The streams adapter's readers may still be blocked in XREAD; nothing else is left to do.
process.exit();
