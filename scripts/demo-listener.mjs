// The receiving side of scripts/demo: a real socket.io-client (the pinned npm package of tests/interop) connected
// to sio-gateway as user 42 with a JWT. Prints "ready" once connected, then what it receives; exits 0 after the
// first "notification", 1 if refused or if nothing arrives within SIO_DEMO_TIMEOUT_MS (default 20000).
//   node scripts/demo-listener.mjs http://127.0.0.1:PORT   (token in $SIO_DEMO_TOKEN)
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/interop/package.json", import.meta.url));
const { io: connect } = require("socket.io-client");

const [url] = process.argv.slice(2);
const token = process.env.SIO_DEMO_TOKEN;
if (!url || !token) {
  console.error("usage: SIO_DEMO_TOKEN=<jwt> node scripts/demo-listener.mjs <gateway url>");
  process.exit(2);
}

const client = connect(url, { auth: { token }, reconnection: false, timeout: 5000 });
const timeoutMs = Number(process.env.SIO_DEMO_TIMEOUT_MS ?? 20000);
const timer = setTimeout(() => finish(1, `demo: no notification within ${timeoutMs} ms`), timeoutMs);

let finished = false;
function finish(code, message) {
  finished = true;
  console.log(message);
  clearTimeout(timer);
  client.close();
  process.exit(code);
}

client.on("connect", () => {
  const transport = client.io.engine.transport.name;
  console.log(`demo: socket.io-client connected to sio-gateway ${url} as user 42 (${transport}): ready`);
  client.io.engine.once("upgrade", (t) => console.log(`demo: upgraded to ${t.name}`));
});
client.on("connect_error", (err) => finish(1, `demo: sio-gateway refused the connection: ${err.message}`));
client.on("disconnect", (reason) => finished || console.log(`demo: disconnected (${reason})`));
client.on("notification", (notification) =>
  finish(0, `demo: user 42 received "notification" ${JSON.stringify(notification)}`));
