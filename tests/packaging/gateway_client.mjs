// One real socket.io-client (tests/interop/node_modules) for packaging_test.py: connects to an installed sio-gateway
// with a JWT and prints one JSON object a line: {"connected":id,"transport":...}, then {"event":name,"args":[...]}
// for the first event it receives, and exits 0. A connect_error ({"error":...}) or no event within the timeout
// ({"timeout":ms}) exits 1. Usage: node gateway_client.mjs URL TOKEN [TIMEOUT_MS]
import { load } from "../interop/lib/packages.mjs";

const [url, token, timeoutArg = "20000"] = process.argv.slice(2);
const timeoutMs = Number(timeoutArg);
const { io } = load("socket.io-client");
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const socket = io(url, { auth: { token }, forceNew: true, reconnection: false, timeout: 5000 });
const finish = (code) => {
  socket.close();
  process.exitCode = code;
  clearTimeout(timer);
};
const timer = setTimeout(() => {
  out({ timeout: timeoutMs });
  finish(1);
}, timeoutMs);
socket.on("connect", () => out({ connected: socket.id, transport: socket.io.engine.transport.name }));
socket.on("connect_error", (e) => {
  out({ error: e.message });
  finish(1);
});
socket.onAny((event, ...args) => {
  out({ event, args });
  finish(0);
});
