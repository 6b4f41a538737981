// Connection state recovery from a client's side, shared by the streams suites (gateway-streams: one Redis;
// adapter-modes-cluster: a Redis Cluster): a real socket.io-client socket drops its transport and comes back.
import assert from "node:assert/strict";
import { waitFor, sleep, QUIET_MS } from "./harness.mjs";

// Drops the client's transport as a network failure would (the server sees "transport close"), with the client's own
// reconnection off so the test decides when it comes back, and to which server (`port`).
export async function drop(c) {
  c.socket.io.engine.close();
  await waitFor(() => !c.socket.connected, { timeoutMs: 5000, message: `${c.label}: disconnected` });
}
export async function reconnect(c, port) {
  const before = c.connects;
  c.socket.io.uri = `http://127.0.0.1:${port}`;
  c.socket.connect();
  await waitFor(() => c.connects > before, { timeoutMs: 5000, message: `${c.label}: reconnected to :${port}` });
}

// Notifications the client saw since mark `m`, as [type, offset] with the offset the server appended.
export const seen = (m, c) => m.received(c).filter((e) => e.event === "notification").map((e) => [e.args[0].type, e.args.at(-1)]);

// One round on client `c` (connected, with c.userId): a notification, its transport dropped, 3 notifications to it (and
// one to somebody else) while away, back on server `to`: the 3 in order with recovered true and the same socket id,
// then a live one; `flags`: notify's --mode (and cluster) flags.
export async function recoveryRound(h, flags, what, to, c) {
  const first = c.socket.id;
  let m = h.mark();
  await h.notify([...flags, "--user", c.userId, "--type", `${what}_BEFORE`]);
  await h.waitReceived(m, [c], 1, `${what}: the notification before the drop`);
  assert.match(seen(m, c)[0][1], /^\d+-\d+$/, `${what}: the server appended the stream offset`);
  await drop(c);
  await sleep(100);  // the server saw the close and stored the session
  m = h.mark();
  for (const n of [1, 2, 3]) await h.notify([...flags, "--user", c.userId, "--type", `${what}_MISSED_${n}`]);
  await h.notify([...flags, "--user", "somebody-else", "--type", `${what}_NOT_FOR_YOU`]);
  await reconnect(c, to.port);
  await h.waitReceived(m, [c], 3, `${what}: the 3 missed notifications`);
  assert.equal(c.socket.recovered, true, `${what}: socket.recovered`);
  assert.equal(c.socket.id, first, `${what}: the same socket id`);
  await h.notify([...flags, "--user", c.userId, "--type", `${what}_LIVE`]);
  await h.waitReceived(m, [c], 4, `${what}: the live notification after recovery`);
  await sleep(QUIET_MS);
  const got = seen(m, c);
  assert.deepEqual(got.map(([type]) => type), [1, 2, 3].map((n) => `${what}_MISSED_${n}`).concat(`${what}_LIVE`),
    `${what}: the missed ones in order, then the live one, each once`);
  const offsets = got.map(([, offset]) => offset);
  assert.deepEqual([...offsets].sort((a, b) => (a.split("-").map(Number) < b.split("-").map(Number) ? -1 : 1)), offsets, `${what}: offsets ascend`);
  return got;
}

