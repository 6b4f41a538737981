// Raw Engine.IO clients for exact-frame and protocol tests: a WebSocket client (the `ws` package) that records
// every frame text-exactly, plain HTTP requests (node:http) for the polling transport, and a byte-level request
// (node:net) for what no HTTP client shows as sent.
import { connect as netConnect } from "node:net";
import { http } from "../../interop/lib/http.mjs";
import { load, waitFor } from "./harness.mjs";

export { http };

// Opens ws://127.0.0.1:port/socket.io/?EIO=4&transport=websocket, reads the open packet, sends the Socket.IO
// CONNECT for `nsp` with `auth` and waits for the server's CONNECT reply. Then records every later frame in
// `frames` ({ text } or { binary: hex }) and answers server pings ("2") with "3" (pings are not recorded).
export async function rawSocketIo(port, { nsp = "/", auth = {}, timeoutMs = 5000 } = {}) {
  const r = await rawConnect(port, { nsp, auth, timeoutMs });
  const prefix = `40${nsp === "/" ? "" : `${nsp},`}{"sid":"`;
  if (!r.connect?.startsWith(prefix)) throw new Error(`expected ${prefix}..., got ${JSON.stringify(r.connect)}`);
  return r;
}

// What rawSocketIo() does up to the server's answer to CONNECT, whatever it is: `connect` is the reply frame's text
// (a CONNECT, or a CONNECT_ERROR "44{...}"), undefined if the connection closed first (`closed` is then true).
export async function rawConnect(port, { nsp = "/", auth = {}, timeoutMs = 5000 } = {}) {
  const WebSocket = load("ws");
  const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
  const r = { ws, open: undefined, connect: undefined, frames: [], all: [], closed: false };
  ws.on("message", (data, isBinary) => {
    const frame = isBinary ? { binary: Buffer.from(data).toString("hex") } : { text: data.toString("utf8") };
    r.all.push(frame);
    if (frame.text === "2") {
      ws.send("3");
      return;
    }
    if (r.open === undefined) r.open = frame.text;
    else if (r.connect === undefined) r.connect = frame.text;
    else r.frames.push(frame);
  });
  ws.on("close", () => (r.closed = true));
  ws.on("error", () => {});
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`raw WebSocket to :${port} did not open`)), timeoutMs);
    ws.once("open", () => {
      clearTimeout(timer);
      resolve();
    });
    ws.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  await waitFor(() => r.open !== undefined || r.closed, { timeoutMs, message: "the Engine.IO open packet" });
  if (!r.open?.startsWith("0{")) throw new Error(`expected the open packet, got ${JSON.stringify(r.open)}`);
  ws.send(`40${nsp === "/" ? "" : `${nsp},`}${JSON.stringify(auth)}`);
  await waitFor(() => r.connect !== undefined || r.closed, { timeoutMs, message: "the Socket.IO CONNECT reply" });
  r.close = () => ws.terminate();
  return r;
}

// Opens a polling session: GET /socket.io/?EIO=4&transport=polling; returns { sid, open } (the open packet JSON).
export async function pollingHandshake(port) {
  const res = await http(port, { path: "/socket.io/?EIO=4&transport=polling" });
  if (res.status !== 200 || !res.body.startsWith("0{")) {
    throw new Error(`polling handshake: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const open = JSON.parse(res.body.slice(1));
  return { sid: open.sid, open };
}

// Sends `request` (the exact request bytes, e.g. a hand-written WebSocket upgrade) over a plain TCP connection to
// 127.0.0.1:port and resolves the response head exactly as received: the status line and every header line, up to
// and without the blank line. The connection is then destroyed (a 101 stays open otherwise).
export function rawResponseHead(port, request, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: "127.0.0.1", port });
    let received = Buffer.alloc(0);
    const done = (err, head) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(head);
    };
    const timer = setTimeout(() => done(new Error(`no complete response head from :${port} within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(request));
    socket.on("data", (d) => {
      received = Buffer.concat([received, d]);
      const end = received.indexOf("\r\n\r\n");
      if (end >= 0) done(undefined, received.subarray(0, end).toString("latin1"));
    });
    socket.on("error", (e) => done(e));
    socket.on("end", () => done(new Error(`:${port} closed before a complete response head: ${JSON.stringify(received.toString("latin1"))}`)));
  });
}
