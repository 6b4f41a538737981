// A real Socket.IO server on a Redis adapter, as a child process of the interop, example and gateway tests.
//
//   node server.mjs REDIS_URL NAME
//
// REDIS_URL redis+cluster://host:port[,host:port...] (seeds, as notify takes them) makes the Redis clients node-redis
// cluster clients (createCluster({rootNodes})) instead of createClient.
// SIO_ADAPTER picks the adapter: classic (createAdapter, the default), sharded (createShardedAdapter, with
// SIO_SUBSCRIPTION_MODE dynamic|static|dynamic-private) or streams (@socket.io/redis-streams-adapter, with
// SIO_STREAM_NAME and SIO_STREAM_COUNT); SIO_RECOVERY=1 turns on connection state recovery.
//
// Namespaces "/" and "/admin"; each connecting socket joins `user:<handshake.auth.userId>`. Server-side events
// (serverSideEmit from the emitter or a peer) named in SIO_SERVER_EVENTS (comma-separated; default ping,sse,hello)
// are logged, and acknowledged with "ack from NAME" when the sender asked for an ack (with SIO_SERVER_ACK=echo:
// with {"server":NAME,"event":EVENT,"args":[...the event's arguments]} instead). stdin takes control commands,
// one JSON object per line, so a test can drive the adapter's cluster operations in a fleet (e.g. with sio-gateway):
//   {"id":1,"cmd":"fetchSockets","nsp":"/","rooms":["user:42"]}
//   {"id":2,"cmd":"serverSideEmit","event":"hello","args":[1]}          (no ack: fire and forget)
//   {"id":3,"cmd":"serverSideEmitWithAck","event":"hello","args":[1]}   (waits for the other servers)
//   {"id":4,"cmd":"emit","nsp":"/","rooms":["user:42"],"event":"e","args":[1]}
//   {"id":5,"cmd":"serverCount","nsp":"/"}
//   {"id":6,"cmd":"socketsJoin","rooms":["user:7"],"join":"vip"}
// each answered by {"reply":<id>,"ms":12,...result} or {"reply":<id>,"ms":..,"error":"..."}.
// stdout carries one JSON object per line:
//   {"ready":true,"name":"A","port":41234}
//   {"connection":"<socket id>","nsp":"/","userId":"42"}
//   {"serverSideEmit":"ping","nsp":"/","args":[{"a":1},2],"name":"A"}
//   {"disconnect":"<socket id>","nsp":"/","reason":"server namespace disconnect"}
// SIGTERM closes everything and exits 0.
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { load } from "./lib/packages.mjs";

const { Server } = load("socket.io");
const { createAdapter, createShardedAdapter } = load("@socket.io/redis-adapter");
const { createClient, createCluster } = load("redis");

const [redisUrl, name = "server"] = process.argv.slice(2);
if (!redisUrl) {
  console.error("usage: node server.mjs REDIS_URL NAME");
  process.exit(2);
}
const events = (process.env.SIO_SERVER_EVENTS ?? "ping,sse,hello").split(",").filter(Boolean);
const echoAcks = process.env.SIO_SERVER_ACK === "echo";
const log = (obj) => process.stdout.write(JSON.stringify({ ...obj, name }) + "\n");

const clusterSeeds = redisUrl.startsWith("redis+cluster://") ? redisUrl.slice("redis+cluster://".length).split(",") : undefined;
const pub = clusterSeeds
  ? createCluster({ rootNodes: clusterSeeds.map((s) => ({ url: `redis://${s}` })) })
  : createClient({ url: redisUrl });
const sub = pub.duplicate();
for (const c of [pub, sub]) c.on("error", (e) => console.error(`${name}: redis: ${e.message}`));
await Promise.all([pub.connect(), sub.connect()]);

function adapter() {
  switch (process.env.SIO_ADAPTER ?? "classic") {
    case "classic":
      return createAdapter(pub, sub);
    case "sharded":
      return createShardedAdapter(pub, sub, { subscriptionMode: process.env.SIO_SUBSCRIPTION_MODE ?? "dynamic" });
    case "streams": {
      const { createAdapter: createStreamsAdapter } = load("@socket.io/redis-streams-adapter");
      return createStreamsAdapter(pub, {
        streamName: process.env.SIO_STREAM_NAME ?? "socket.io",
        streamCount: Number(process.env.SIO_STREAM_COUNT ?? 1),
      });
    }
    default:
      console.error(`${name}: unknown SIO_ADAPTER ${process.env.SIO_ADAPTER}`);
      process.exit(2);
  }
}

const http = createServer();
// SIO_RECOVERY=1: connectionStateRecovery, with SIO_RECOVERY_MS as its maxDisconnectionDuration (default 2 min).
const recovery = process.env.SIO_RECOVERY === "1"
  ? { connectionStateRecovery: process.env.SIO_RECOVERY_MS ? { maxDisconnectionDuration: Number(process.env.SIO_RECOVERY_MS) } : {} }
  : {};
const io = new Server(http, { adapter: adapter(), ...recovery });

for (const nsp of [io.of("/"), io.of("/admin")]) {
  nsp.on("connection", (socket) => {
    const userId = socket.handshake.auth?.userId;
    socket.join(`user:${userId}`);
    log({ connection: socket.id, nsp: nsp.name, userId: String(userId) });
    socket.on("disconnect", (reason) => log({ disconnect: socket.id, nsp: nsp.name, reason }));
  });
  for (const ev of events) {
    nsp.on(ev, (...args) => {
      const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
      log({ serverSideEmit: ev, nsp: nsp.name, args });
      if (ack) ack(echoAcks ? { server: name, event: ev, args } : `ack from ${name}`);
    });
  }
}

async function handle(cmd) {
  const nsp = io.of(cmd.nsp ?? "/");
  const target = cmd.rooms?.length ? nsp.in(cmd.rooms) : nsp;
  switch (cmd.cmd) {
    case "fetchSockets": {
      const sockets = await target.fetchSockets();
      return {
        sockets: sockets.map((s) => ({ id: s.id, rooms: [...s.rooms], auth: s.handshake.auth, url: s.handshake.url, address: s.handshake.address })),
      };
    }
    case "serverSideEmit":
      nsp.serverSideEmit(cmd.event, ...(cmd.args ?? []));
      return {};
    case "serverSideEmitWithAck":
      return { responses: await nsp.serverSideEmitWithAck(cmd.event, ...(cmd.args ?? [])) };
    case "emit":
      target.emit(cmd.event, ...(cmd.args ?? []));
      return {};
    case "socketsJoin":
      target.socketsJoin(cmd.join);
      return {};
    case "serverCount":
      return { count: await nsp.adapter.serverCount() };
    default:
      throw new Error(`unknown command ${cmd.cmd}`);
  }
}

createInterface({ input: process.stdin }).on("line", async (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch {
    return log({ reply: null, error: `not JSON: ${line}` });
  }
  const started = Date.now();
  try {
    const result = await handle(cmd);
    log({ reply: cmd.id, ms: Date.now() - started, ...result });
  } catch (e) {
    log({ reply: cmd.id, ms: Date.now() - started, error: e.message, responses: e.responses });
  }
});


// SIO_PORT: a fixed port (bench/gateway-connections restarts a server on the port its clients reconnect to); else any.
await new Promise((resolve) => http.listen(Number(process.env.SIO_PORT ?? 0), "127.0.0.1", resolve));
log({ ready: true, port: http.address().port });

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  const force = setTimeout(() => process.exit(0), 2000);
  force.unref();
  io.close();
  await Promise.allSettled([pub.quit(), sub.quit()]);
  process.exit(0);
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
