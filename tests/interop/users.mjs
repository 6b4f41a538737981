// Real socket.io-client users as a child process, for test drivers in other languages (bindings/python/tests):
// connects each USER[@NSP] to the Socket.IO server on 127.0.0.1:PORT (auth.userId, so tests/interop/server.mjs
// joins it to room "user:<id>"), upgraded to WebSocket, and reports on stdout, one JSON object per line:
//   {"ready":true}                                                    once every user is connected
//   {"user":"42","nsp":"/","event":"notification","args":[...]}     each event received (Buffers as {"$bin":"hex"})
//   {"user":"42","nsp":"/","disconnect":"io server disconnect"}
// An event received with an ack callback is acknowledged with "ack from <user>".
//   node users.mjs PORT 42 7 42@/admin
// SIGTERM closes the clients and exits 0.
import { connectUser } from "./lib/clients.mjs";

const [port, ...specs] = process.argv.slice(2);
if (!port || !specs.length) {
  console.error("usage: node users.mjs PORT USER[@NSP]...");
  process.exit(2);
}

const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const plain = (v) => {
  if (Buffer.isBuffer(v) || v instanceof ArrayBuffer) return { $bin: Buffer.from(v).toString("hex") };
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
};

const clients = [];
for (const spec of specs) {
  const [user, nsp = "/"] = spec.split("@");
  const c = await connectUser(Number(port), user, { nsp });
  c.socket.onAny((event, ...args) => {
    const ack = typeof args[args.length - 1] === "function" ? args.pop() : undefined;
    out({ user, nsp, event, args: plain(args) });
    if (ack) ack(`ack from ${user}`);
  });
  c.socket.on("disconnect", (reason) => out({ user, nsp, disconnect: reason }));
  clients.push(c);
}
out({ ready: true });

process.on("SIGTERM", () => {
  for (const c of clients) c.socket.disconnect();
  process.exit(0);
});
