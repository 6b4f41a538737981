// A mixed fleet on one Redis: a real Node Socket.IO server (tests/interop/server.mjs, @socket.io/redis-adapter 8.3.0) and
// sio-gateway. Targeted notifications reach clients on both; the Node server's broadcasts reach the gateway's
// clients; the Node server's cluster requests (fetchSockets, serverSideEmit, socketsJoin) include the gateway and
// complete without timeouts. Then with --no-serve-requests the Node server no longer counts or waits for it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification } from "./harness.mjs";

const FAST_MS = 2000; // "well under" the adapter's 5 s requestsTimeout
const h = new Harness();
let node, gateway, n42, n7, g42, g7;

before(async () => {
  await h.start();
  node = await h.startNodeServer("node");
  gateway = await h.startGateway({ args: ["--namespace", "/admin"], namespaces: ["/", "/admin"] });
  n42 = await h.connect(node.port, { userId: "42", upgraded: true, label: "user 42 on Node" });
  n7 = await h.connect(node.port, { userId: "7", upgraded: true, label: "user 7 on Node" });
  g42 = await h.connect(gateway.port, { userId: "42", label: "user 42 on the gateway" });
  g7 = await h.connect(gateway.port, { userId: "7", transports: ["polling"], label: "user 7 on the gateway (polling)" });
});

after(() => h.close());

test("notify --user 42 reaches user 42 on the Node server and on the gateway, nobody else", async () => {
  const m = h.mark();
  await h.notify(["--user", "42", "--type", "FLEET"]);
  await waitFor(() => m.received(n42).length >= 1 && m.received(g42).length >= 1, { message: "user 42 on both servers" });
  await sleep(QUIET_MS);
  h.only(m, [n42, g42], "notification");
  assertNotification(m.received(n42)[0], "FLEET", n42.label);
  assert.deepEqual(m.received(g42)[0].args, m.received(n42)[0].args, "same notification on both servers");
});

test("the Node server's io.to(\"user:7\").emit reaches user 7 on the gateway too", async () => {
  const m = h.mark();
  const r = await node.control({ cmd: "emit", rooms: ["user:7"], event: "from-node-server", args: [{ a: [1, "é"] }] });
  assert.equal(r.error, undefined, r.error);
  await waitFor(() => m.received(n7).length >= 1 && m.received(g7).length >= 1, { message: "user 7 on both servers" });
  await sleep(QUIET_MS);
  h.only(m, [n7, g7], "from-node-server");
  assert.deepEqual(m.received(g7)[0].args, [{ a: [1, "é"] }]);
});

test("serverCount: the Node adapter counts the gateway as a server (PUBSUB NUMSUB)", async () => {
  const r = await node.control({ cmd: "serverCount" });
  assert.equal(r.count, 2, JSON.stringify(r));
});

test("fetchSockets from the Node server completes fast and includes the gateway's sockets with their rooms", async () => {
  const r = await node.control({ cmd: "fetchSockets" });
  assert.equal(r.error, undefined, `fetchSockets failed after ${r.ms} ms: ${r.error}`);
  assert.ok(r.ms < FAST_MS, `fetchSockets took ${r.ms} ms`);
  const ids = r.sockets.map((s) => s.id).sort();
  assert.deepEqual(ids, [n42, n7, g42, g7].map((c) => c.socket.id).sort(), "every socket of \"/\" on both servers");
  const fromGateway = r.sockets.find((s) => s.id === g42.socket.id);
  assert.deepEqual([...fromGateway.rooms].sort(), [g42.socket.id, "user:42"].sort(), JSON.stringify(fromGateway));
  assert.deepEqual(fromGateway.auth, { userId: "42" });
  assert.match(fromGateway.url, /^\/socket\.io\/\?EIO=4&transport=polling/, JSON.stringify(fromGateway));
});

test("fetchSockets of a room (user:42) returns exactly user 42's sockets on both servers", async () => {
  const r = await node.control({ cmd: "fetchSockets", rooms: ["user:42"] });
  assert.equal(r.error, undefined, r.error);
  assert.ok(r.ms < FAST_MS, `fetchSockets took ${r.ms} ms`);
  assert.deepEqual(r.sockets.map((s) => s.id).sort(), [n42.socket.id, g42.socket.id].sort());
  const admin = await node.control({ cmd: "fetchSockets", nsp: "/admin" });
  assert.equal(admin.error, undefined, admin.error);
  assert.ok(admin.ms < FAST_MS, `fetchSockets /admin took ${admin.ms} ms`);
  assert.deepEqual(admin.sockets, []);
});

test("serverSideEmit (no ack) from the Node server completes and reaches no client", async () => {
  const r = await node.control({ cmd: "serverSideEmit", event: "hello", args: [1] });
  assert.equal(r.error, undefined, r.error);
  assert.ok(r.ms < FAST_MS, `serverSideEmit took ${r.ms} ms`);
  await sleep(QUIET_MS);
  for (const c of [g42, g7, n42, n7]) assert.ok(!c.received.some((e) => e.event === "hello"), c.label);
});

test("serverSideEmitWithAck from the Node server completes without a timeout (the gateway answers)", async () => {
  // The Node adapter waits for serverCount - 1 answers (here: the gateway's) for up to requestsTimeout (5 s).
  const r = await node.control({ cmd: "serverSideEmitWithAck", event: "hello", args: [{ x: 1 }] });
  assert.equal(r.error, undefined, `serverSideEmitWithAck failed after ${r.ms} ms: ${r.error}`);
  assert.ok(r.ms < FAST_MS, `serverSideEmitWithAck took ${r.ms} ms`);
  assert.equal(r.responses.length, 1, `one answer (the gateway's): ${JSON.stringify(r.responses)}`);
  for (const c of [g42, g7, n42, n7]) assert.ok(!c.received.some((e) => e.event === "hello"), c.label);
});

test("socketsJoin from the Node server moves the gateway's user-7 socket into a room", async () => {
  const r = await node.control({ cmd: "socketsJoin", rooms: ["user:7"], join: "fleet-vip" });
  assert.equal(r.error, undefined, r.error);
  await sleep(200);
  const m = h.mark();
  await h.notify(["--room", "fleet-vip", "--event", "vip"]);
  await waitFor(() => m.received(g7).length >= 1 && m.received(n7).length >= 1, { message: "user 7 in fleet-vip on both" });
  await sleep(QUIET_MS);
  h.only(m, [g7, n7], "vip");
});

test("--no-serve-requests: the Node server neither counts nor waits for the gateway; its clients still receive", async () => {
  await gateway.stop();
  const quiet = await h.startGateway({ args: ["--no-serve-requests"] });
  const q42 = await h.connect(quiet.port, { userId: "42", label: "user 42 on the --no-serve-requests gateway" });

  const count = await node.control({ cmd: "serverCount" });
  assert.equal(count.count, 1, `NUMSUB counts only the Node server: ${JSON.stringify(count)}`);

  const fetched = await node.control({ cmd: "fetchSockets" });
  assert.equal(fetched.error, undefined, fetched.error);
  assert.ok(fetched.ms < FAST_MS, `fetchSockets took ${fetched.ms} ms`);
  assert.deepEqual(fetched.sockets.map((s) => s.id).sort(), [n42.socket.id, n7.socket.id].sort(), "only the Node server's sockets");

  const acked = await node.control({ cmd: "serverSideEmitWithAck", event: "hello", args: [2] });
  assert.equal(acked.error, undefined, acked.error);
  assert.ok(acked.ms < FAST_MS, `serverSideEmitWithAck took ${acked.ms} ms`);
  assert.deepEqual(acked.responses, []);

  const m = h.mark();
  await h.notify(["--user", "42", "--type", "QUIET_GATEWAY"]);
  await node.control({ cmd: "emit", rooms: ["user:42"], event: "from-node-server", args: [3] });
  await waitFor(() => m.received(q42).length >= 2 && m.received(n42).length >= 2, { message: "user 42 on both servers" });
  await sleep(QUIET_MS);
  assertNotification(m.received(q42).find((r) => r.event === "notification"), "QUIET_GATEWAY", q42.label);
  assert.deepEqual(m.received(q42).find((r) => r.event === "from-node-server").args, [3]);
});
