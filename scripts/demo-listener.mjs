// The receiving side of scripts/demo: a real Socket.IO server on the Redis adapter and a real socket.io-client
// connected as user 42. Prints what the client receives and exits 0 after the first notification (1 on timeout).
import { createRequire } from "node:module";
import { createServer } from "node:http";

// The packages are the pinned ones of the interop tests.
const require = createRequire(new URL("../tests/interop/package.json", import.meta.url));
const { Server } = require("socket.io");
const { io: connect } = require("socket.io-client");
const { createAdapter } = require("@socket.io/redis-adapter");
const { createClient } = require("redis");

const redisUrl = process.env.REDIS_URL;
const pub = createClient({ url: redisUrl });
const sub = pub.duplicate();
await Promise.all([pub.connect(), sub.connect()]);

const http = createServer();
const io = new Server(http, { adapter: createAdapter(pub, sub) });
io.on("connection", (socket) => socket.join(`user:${socket.handshake.auth.userId}`));
await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
const { port } = http.address();

const client = connect(`http://127.0.0.1:${port}`, { auth: { userId: "42" } });
const timer = setTimeout(() => finish(1, "demo: no notification within 20 s"), 20000);

function finish(code, message) {
  console.log(message);
  clearTimeout(timer);
  client.close();
  io.close();
  Promise.allSettled([pub.quit(), sub.quit()]).then(() => process.exit(code));
}

client.on("connect", () => console.log(`demo: socket.io-client connected as user 42 to a Socket.IO server on port ${port}: ready`));
client.on("notification", (notification) =>
  finish(0, `demo: user 42 received "notification" ${JSON.stringify(notification)}`));
