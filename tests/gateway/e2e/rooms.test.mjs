// Namespaces, rooms, except, volatile, and the server-side operations (socketsJoin, socketsLeave,
// disconnectSockets) reaching sio-gateway's sockets from `notify` and from the real Node emitter.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS } from "./harness.mjs";

const h = new Harness();
let gateway, u42, u42admin, admin9, u7, u8;

// A second namespace socket multiplexed on the Engine.IO connection of `c`.
async function addNamespace(c, nsp, userId) {
  const socket = c.socket.io.socket(nsp, { auth: { userId } });
  const m = { label: `${c.label} + ${nsp} (same connection)`, socket, received: [], disconnects: [] };
  socket.onAny((event, ...args) => m.received.push({ event, args, at: Date.now() }));
  socket.on("disconnect", (reason, description) => m.disconnects.push({ reason, description }));
  h.clients.push(m);
  await waitFor(() => socket.connected, { message: `${m.label} to connect` });
  return m;
}

before(async () => {
  await h.start();
  gateway = await h.startGateway({ args: ["--namespace", "/admin"], namespaces: ["/", "/admin"] });
  u42 = await h.connect(gateway.port, { userId: "42" });
  u42admin = await addNamespace(u42, "/admin", "42");
  admin9 = await h.connect(gateway.port, { userId: "9", nsp: "/admin", transports: ["websocket"] });
  u7 = await h.connect(gateway.port, { userId: "7", transports: ["websocket"] });
  u8 = await h.connect(gateway.port, { userId: "8" });
});

after(() => h.close());

test("an unknown namespace is refused with connect_error \"Invalid namespace\"", async () => {
  const e = await h.connectError(gateway.port, { nsp: "/nope", auth: { userId: "1" } });
  assert.equal(e.message, "Invalid namespace");
  const e2 = await h.connectError(gateway.port, { nsp: "/nope", auth: { userId: "1" }, transports: ["websocket"] });
  assert.equal(e2.message, "Invalid namespace");
});

test("notify --nsp /admin --user 42 reaches only user 42's /admin socket, not its / socket", async () => {
  const m = h.mark();
  await h.notify(["--nsp", "/admin", "--user", "42", "--type", "ADMIN_ONLY"]);
  await waitFor(() => m.received(u42admin).length >= 1, { message: "the /admin socket's notification" });
  await sleep(QUIET_MS);
  h.only(m, [u42admin], "notification");
  assert.equal(m.received(u42admin)[0].args[0].type, "ADMIN_ONLY");
});

test("emitter of(\"/admin\").emit reaches every /admin socket and no / socket", async () => {
  const io = await h.emitter();
  const m = h.mark();
  io.of("/admin").emit("tick", 1);
  await waitFor(() => m.received(u42admin).length >= 1 && m.received(admin9).length >= 1, { message: "/admin ticks" });
  await sleep(QUIET_MS);
  h.only(m, [u42admin, admin9], "tick");
  assert.deepEqual(m.received(admin9)[0].args, [1]);
});

test("emit to \"/\" without a room reaches every / socket and no /admin socket", async () => {
  const io = await h.emitter();
  const m = h.mark();
  io.emit("all", "x");
  await waitFor(() => [u42, u7, u8].every((c) => m.received(c).length >= 1), { message: "the / broadcast" });
  await sleep(QUIET_MS);
  h.only(m, [u42, u7, u8], "all");
});

test("rooms and except: --room user:7 --room user:8 --except user:8 reaches user 7 only", async () => {
  const m = h.mark();
  await h.notify(["--room", "user:7", "--room", "user:8", "--except", "user:8", "--type", "ROOMS", "--timestamp", "1700000000000"]);
  await waitFor(() => m.received(u7).length >= 1, { message: "user 7's notification" });
  await sleep(QUIET_MS);
  h.only(m, [u7], "notification");
  assert.deepEqual(m.received(u7)[0].args, [{ type: "ROOMS", timestamp: 1700000000000 }]);
});

test("a socket's own id is a room: emitter to(<socket id>) reaches that socket only", async () => {
  const io = await h.emitter();
  const m = h.mark();
  io.to(u8.socket.id).emit("direct", 8);
  await waitFor(() => m.received(u8).length >= 1, { message: "user 8's direct event" });
  await sleep(QUIET_MS);
  h.only(m, [u8], "direct");
});

test("volatile: notify --volatile and emitter volatile reach a connected websocket client", async () => {
  // One at a time: a volatile packet that arrives while the previous write to the same WebSocket is still in
  // flight is dropped, by us as by Node (its ws transport is not writable until the send callback runs). Two
  // publishes back to back can reach the gateway in one Redis read, so the second would race the first.
  const m = h.mark();
  await h.notify(["--user", "7", "--event", "vol", "--arg", "1", "--volatile"]);
  await waitFor(() => m.received(u7).length >= 1, { message: "user 7's first volatile event" });
  const io = await h.emitter();
  io.to("user:7").volatile.emit("vol", 2);
  await waitFor(() => m.received(u7).length >= 2, { message: "user 7's volatile events" });
  await sleep(QUIET_MS);
  assert.deepEqual(m.received(u7).map((r) => [r.event, ...r.args]), [["vol", 1], ["vol", 2]]);
});

test("socketsJoin: notify join extra --user 7, then an emit to room extra reaches user 7 only", async () => {
  await h.notify(["join", "extra", "--user", "7"]);
  await sleep(100); // the join and the emit travel on different channels (request vs broadcast)
  const m = h.mark();
  await h.notify(["--room", "extra", "--event", "in-extra", "--arg", "1"]);
  await waitFor(() => m.received(u7).length >= 1, { message: "user 7 in room extra" });
  await sleep(QUIET_MS);
  h.only(m, [u7], "in-extra");
});

test("socketsLeave: notify leave extra --user 7, then an emit to room extra reaches nobody", async () => {
  await h.notify(["leave", "extra", "--user", "7"]);
  await sleep(100);
  const m = h.mark();
  await h.notify(["--room", "extra", "--event", "in-extra", "--arg", "2"]);
  await h.notify(["--user", "7", "--event", "control"]);
  await waitFor(() => m.received(u7).some((r) => r.event === "control"), { message: "user 7's control event" });
  await sleep(QUIET_MS);
  h.only(m, [], "in-extra");
});

test("socketsJoin from the Node emitter on /admin: in(\"user:9\").socketsJoin(\"vip\") then to(\"vip\")", async () => {
  const io = await h.emitter();
  io.of("/admin").in("user:9").socketsJoin("vip");
  await sleep(200);
  const m = h.mark();
  io.of("/admin").to("vip").emit("vip-only", true);
  io.to("vip").emit("vip-only", "wrong namespace"); // "/" has no vip room: nobody
  await waitFor(() => m.received(admin9).length >= 1, { message: "the /admin vip event" });
  await sleep(QUIET_MS);
  h.only(m, [admin9], "vip-only");
  assert.deepEqual(m.received(admin9)[0].args, [true]);
});

test("disconnectSockets: notify disconnect --user 8 disconnects user 8 (\"io server disconnect\"), nobody else", async () => {
  // User 8 also has an /admin socket on the same connection: only the "/" socket is targeted.
  const u8admin = await addNamespace(u8, "/admin", "8");
  const m = h.mark();
  await h.notify(["disconnect", "--user", "8"]);
  await waitFor(() => m.disconnects(u8).length >= 1, { message: "user 8's disconnect" });
  await sleep(QUIET_MS);
  assert.equal(m.disconnects(u8)[0].reason, "io server disconnect");
  assert.equal(u8.socket.io.engine.readyState, "open", "without --close the connection stays open");
  for (const c of [u42, u42admin, admin9, u7, u8admin]) {
    assert.deepEqual(m.disconnects(c), [], c.label);
    assert.equal(c.socket.connected, true, c.label);
  }
});

test("disconnectSockets(true) from the Node emitter closes user 42's whole connection (/ and /admin)", async () => {
  const io = await h.emitter();
  const engine = u42.socket.io.engine;
  const m = h.mark();
  io.in("user:42").disconnectSockets(true);
  await waitFor(() => m.disconnects(u42).length >= 1 && m.disconnects(u42admin).length >= 1, { message: "user 42's disconnects" });
  await waitFor(() => engine.readyState === "closed", { message: "user 42's Engine.IO connection to close" });
  assert.equal(m.disconnects(u42)[0].reason, "io server disconnect");
  for (const c of [admin9, u7]) {
    assert.deepEqual(m.disconnects(c), [], c.label);
    assert.equal(c.socket.connected, true, c.label);
  }
});
