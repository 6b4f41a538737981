// Real socket.io-client users for the tests: connected, upgraded to WebSocket, and recording what they receive.
import { load } from "./packages.mjs";
import { waitFor } from "./proc.mjs";

// Connects user `userId` (auth.userId: the test server joins it to room "user:<userId>") to the Socket.IO server on
// 127.0.0.1:`port`, namespace `nsp`. Resolves once connected and upgraded from polling to WebSocket, so every test
// starts from one state. The returned record collects { event, args, at } in `received` and { reason, description }
// in `disconnects`.
export async function connectUser(port, userId, { nsp = "/", label = `user ${userId}${nsp}` } = {}) {
  const ioClient = load("socket.io-client").io;
  const socket = ioClient(`http://127.0.0.1:${port}${nsp === "/" ? "" : nsp}`, {
    auth: { userId },
    forceNew: true,
    reconnection: false,
  });
  const c = { label, socket, received: [], disconnects: [] };
  socket.onAny((event, ...args) => c.received.push({ event, args, at: Date.now() }));
  socket.on("disconnect", (reason, description) => c.disconnects.push({ reason, description }));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: no connect within 5 s`)), 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${label}: connect_error ${e.message}`));
    });
  }).catch((e) => {
    socket.disconnect();
    throw e;
  });
  await waitFor(() => socket.io.engine?.transport?.name === "websocket", {
    timeoutMs: 5000,
    message: `${label}: WebSocket upgrade`,
  });
  return c;
}
