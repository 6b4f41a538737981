// A client that floods a gateway with events, in a process of its own so that the test process measuring another
// client's latency is not the one busy writing: node flooder.mjs <port> <token> <count> <localAddress>.
// It CONNECTs with the token, sends <count> events just under the default --max-payload (1000000 bytes;
// alternately a string and an array of 200000 numbers), prints {"connected":true}, then {"done":ms,"closed":bool}.
import { load } from "../../interop/lib/packages.mjs";

const [port, token, count, localAddress] = process.argv.slice(2);
const WebSocket = load("ws");
const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, { localAddress });
let closed = false;
ws.on("close", () => (closed = true));
ws.on("error", () => (closed = true));
ws.on("message", (data) => {
  const text = data.toString();
  if (text === "2") ws.send("3");
  else if (text.startsWith("0{")) ws.send(`40${JSON.stringify({ token })}`);
  else if (text.startsWith("40{\"sid\"")) flood();
});

function flood() {
  console.log(JSON.stringify({ connected: true }));
  const event = `42["flood","${"f".repeat(999000)}"]`;
  const numbers = `42["flood",[${Array.from({ length: 200000 }, (_, i) => i % 10000).join(",")}]]`;
  const started = Date.now();
  let sent = 0;
  const next = () => {
    // Keep a few messages queued, no more: the socket's pace is the gateway's reading pace.
    while (sent < Number(count) && ws.bufferedAmount < 4 * 1000000) ws.send(sent++ % 2 ? numbers : event);
    if (sent < Number(count) && !closed) return setTimeout(next, 1);
    const drained = () => {
      if (ws.bufferedAmount > 0 && !closed) return setTimeout(drained, 5);
      console.log(JSON.stringify({ done: Date.now() - started, closed }));
      ws.terminate();
    };
    drained();
  };
  next();
}
