// A real Socket.IO server on the classic Redis adapter, as a child process of delivery.test.mjs.
//
//   node server.mjs REDIS_URL NAME
//
// Namespaces "/" and "/admin"; each connecting socket joins `user:<handshake.auth.userId>`. Server-side events
// (serverSideEmit from the emitter) named in SIO_SERVER_EVENTS (comma-separated; default ping,sse,hello) are
// logged. stdout carries one JSON object per line:
//   {"ready":true,"name":"A","port":41234}
//   {"connection":"<socket id>","nsp":"/","userId":"42"}
//   {"serverSideEmit":"ping","nsp":"/","args":[{"a":1},2],"name":"A"}
//   {"disconnect":"<socket id>","nsp":"/","reason":"server namespace disconnect"}
// SIGTERM closes everything and exits 0.
import { createServer } from "node:http";
import { load } from "./lib/packages.mjs";

const { Server } = load("socket.io");
const { createAdapter } = load("@socket.io/redis-adapter");
const { createClient } = load("redis");

const [redisUrl, name = "server"] = process.argv.slice(2);
if (!redisUrl) {
  console.error("usage: node server.mjs REDIS_URL NAME");
  process.exit(2);
}
const events = (process.env.SIO_SERVER_EVENTS ?? "ping,sse,hello").split(",").filter(Boolean);
const log = (obj) => process.stdout.write(JSON.stringify({ ...obj, name }) + "\n");

const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
for (const c of [pub, sub]) c.on("error", (e) => console.error(`${name}: redis: ${e.message}`));
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { adapter: createAdapter(pub, sub) });

for (const nsp of [io.of("/"), io.of("/admin")]) {
  nsp.on("connection", (socket) => {
    const userId = socket.handshake.auth?.userId;
    socket.join(`user:${userId}`);
    log({ connection: socket.id, nsp: nsp.name, userId: String(userId) });
    socket.on("disconnect", (reason) => log({ disconnect: socket.id, nsp: nsp.name, reason }));
  });
  for (const ev of events) nsp.on(ev, (...args) => log({ serverSideEmit: ev, nsp: nsp.name, args }));
}

await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
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
