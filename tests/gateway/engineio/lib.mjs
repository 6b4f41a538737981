// Helpers for the engineio integration tests: start eio_echo_server (path in $SIO_EIO_ECHO_SERVER), follow its
// event lines, load the real engine.io-client and ws from tests/interop/node_modules, and raw HTTP requests.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { Agent } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const INTEROP_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "interop");
const require = createRequire(join(INTEROP_DIR, "package.json"));

export function load(name) {
  if (!existsSync(join(INTEROP_DIR, "node_modules", name, "package.json"))) {
    throw new Error(`tests/interop/node_modules is missing ${name}: run scripts/setup (npm ci in tests/interop)`);
  }
  return require(name);
}

export const { Socket: EioSocket } = load("engine.io-client");
export const WebSocket = load("ws");

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(predicate, { timeoutMs = 5000, message = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = predicate();
    if (value) return value;
    await sleep(10);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
}

// Starts the echo server; resolves { port, lines, waitForLine(regex), closeReason(sid), stop() }.
export async function startServer(args = []) {
  const exe = process.env.SIO_EIO_ECHO_SERVER;
  if (!exe) throw new Error("SIO_EIO_ECHO_SERVER is not set (the path of eio-echo-server; ctest sets it)");
  const child = spawn(exe, args, { stdio: ["pipe", "pipe", "inherit"] });
  const lines = [];
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    buffered += chunk.toString("utf8");
    let nl;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  let exited = null;
  child.on("exit", (code, signal) => (exited = { code, signal }));
  const listening = await waitFor(() => lines.find((l) => l.startsWith("listening ")) || exited, {
    message: "the echo server to listen",
  });
  if (exited && typeof listening !== "string") throw new Error(`echo server exited: ${JSON.stringify(exited)}`);
  const port = Number(listening.split(" ")[1]);
  const server = {
    port,
    lines,
    child,
    url: `http://127.0.0.1:${port}`,
    waitForLine(regex, timeoutMs = 5000) {
      return waitFor(() => lines.find((l) => regex.test(l)), { timeoutMs, message: `a server line matching ${regex}` });
    },
    // The reason the server gave for closing session `sid` (waits for it).
    async closeReason(sid, timeoutMs = 5000) {
      const line = await server.waitForLine(new RegExp(`^close ${escape(sid)} `), timeoutMs);
      return line.split(" ").slice(3).join(" ");
    },
    closed(sid) {
      return lines.some((l) => l.startsWith(`close ${sid} `));
    },
    async stop() {
      if (exited) return exited;
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await waitFor(() => exited, { timeoutMs: 6000, message: "the echo server to exit" });
      clearTimeout(timer);
      return exited;
    },
  };
  return server;
}

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}

export { http } from "../../interop/lib/http.mjs";
import { http } from "../../interop/lib/http.mjs";

export const keepAliveAgent = () => new Agent({ keepAlive: true, maxSockets: 4 });

export const eioPath = (query) => `/socket.io/?EIO=4&${query}`;

// Opens a polling session with a raw GET; returns { sid, open }.
export async function pollingHandshake(port) {
  const res = await http(port, { path: eioPath("transport=polling") });
  if (res.status !== 200 || !res.body.startsWith("0{")) {
    throw new Error(`polling handshake: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const open = JSON.parse(res.body.slice(1));
  return { sid: open.sid, open, res };
}

export const poll = (port, sid, opts = {}) => http(port, { path: eioPath(`transport=polling&sid=${sid}`), ...opts });

export const post = (port, sid, body, opts = {}) =>
  http(port, {
    method: "POST",
    path: eioPath(`transport=polling&sid=${sid}`),
    headers: { "content-type": "text/plain;charset=UTF-8", ...(opts.headers || {}) },
    body,
    ...opts,
  });

// A raw WebSocket that records frames ({ text } or { binary: Buffer }) in `frames`.
export async function rawWebSocket(port, query) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${eioPath(query)}`);
  const r = { ws, frames: [], closed: false, closeCode: undefined };
  ws.on("message", (data, isBinary) => r.frames.push(isBinary ? { binary: Buffer.from(data) } : { text: data.toString() }));
  ws.on("close", (code) => {
    r.closed = true;
    r.closeCode = code;
  });
  ws.on("error", () => {});
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`WebSocket refused: ${res.statusCode}`)));
  });
  r.nextFrame = async (timeoutMs = 5000) => {
    const index = r.consumed ?? 0;
    await waitFor(() => r.frames.length > index || r.closed, { timeoutMs, message: "a WebSocket frame" });
    if (r.frames.length <= index) throw new Error("the WebSocket closed before the next frame");
    r.consumed = index + 1;
    return r.frames[index];
  };
  return r;
}

// Opens an engine.io-client socket and waits for "open"; records messages and the close reason.
export async function openClient(server, opts = {}) {
  // engine.io-client defaults to /engine.io; Socket.IO clients use /socket.io.
  const socket = new EioSocket(server.url, { path: "/socket.io", ...opts });
  const c = { socket, messages: [], closeReason: undefined, upgraded: false };
  socket.on("message", (m) => c.messages.push(m));
  socket.on("close", (reason) => (c.closeReason = reason));
  socket.on("upgrade", () => (c.upgraded = true));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("engine.io-client did not open")), 5000);
    socket.once("open", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  c.nextMessage = async (timeoutMs = 5000) => {
    const index = c.consumed ?? 0;
    await waitFor(() => c.messages.length > index, { timeoutMs, message: "a message from the echo server" });
    c.consumed = index + 1;
    return c.messages[index];
  };
  return c;
}
