// Exactness: for the same published message, the raw Engine.IO frames a WebSocket client receives from sio-gateway
// equal, text-exactly and byte-exactly, those a real Node Socket.IO 4.8.4 server (tests/interop/server.mjs, on
// @socket.io/redis-adapter 8.3.0) sends. Both servers run on one Redis; one raw `ws` client on each, in the same
// room; each case is published once and both clients' frames are compared.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep } from "./harness.mjs";
import { rawSocketIo, http } from "./raw.mjs";
import { CASES, rawMessage } from "./exactness-cases.mjs";

const ROOM_USER = "exact";
const h = new Harness();
let node, gateway, onNode, onGateway;

before(async () => {
  await h.start();
  node = await h.startNodeServer("reference");
  gateway = await h.startGateway();
  onNode = await rawSocketIo(node.port, { auth: { userId: ROOM_USER } });
  onGateway = await rawSocketIo(gateway.port, { auth: { userId: ROOM_USER } });
});

after(() => h.close());

// The frames of one packet as the Node server sent them: the text frame and, for 45<n>-..., n binary frames.
function expectedCount(frames) {
  if (!frames.length || frames[0].text === undefined) return 1;
  const m = /^45(\d+)-/.exec(frames[0].text);
  return m ? 1 + Number(m[1]) : 1;
}

async function compare(publish) {
  const at = { node: onNode.frames.length, gateway: onGateway.frames.length };
  await publish();
  const fromNode = () => onNode.frames.slice(at.node);
  const fromGateway = () => onGateway.frames.slice(at.gateway);
  await waitFor(() => fromNode().length >= 1 && fromNode().length >= expectedCount(fromNode()), {
    timeoutMs: 5000,
    message: "the Node server's frames",
  });
  const want = fromNode();
  await waitFor(() => fromGateway().length >= want.length, { timeoutMs: 5000, message: "the gateway's frames" }).catch(() => {});
  await sleep(100);
  assert.deepEqual(fromGateway(), fromNode(), "frames from sio-gateway (actual) vs the Node server (expected)");
  return want;
}

test("the CONNECT reply has the Node shape: 40{\"sid\":<20-char base64id>}", () => {
  for (const r of [onNode, onGateway]) assert.match(r.connect, /^40\{"sid":"[A-Za-z0-9_-]{20}"\}$/, r.connect);
  // The open packet over a direct WebSocket: same keys, same order, upgrades [] (PROTOCOL.md §7.2).
  const shape = (open) => open.replace(/"sid":"[^"]+"/, '"sid":"S"');
  assert.equal(shape(onGateway.open), shape(onNode.open));
});

for (const c of CASES) {
  test(`same frames: ${c.name}`, async () => {
    const room = `user:${ROOM_USER}`;
    let frames;
    if (c.raw) {
      const msg = rawMessage(c.raw, { rooms: [room] });
      frames = await compare(() => h.admin.publish(Buffer.from(`socket.io#/#${room}#`), msg));
    } else {
      const io = await h.emitter();
      frames = await compare(async () => c.emit(io, room));
    }
    assert.ok(frames[0].text.startsWith("42") || frames[0].text.startsWith("45"), JSON.stringify(frames));
  });
}

test("same frames: a broadcast to every socket of \"/\" (no room) and one with except", async () => {
  const io = await h.emitter();
  await compare(async () => io.emit("everyone", { n: 1 }));
  // Both clients are in user:exact: except it, and only the control event that follows arrives.
  await compare(async () => {
    io.except(`user:${ROOM_USER}`).emit("excluded", 1);
    io.to(`user:${ROOM_USER}`).emit("control", 2);
  });
  assert.ok(!onGateway.frames.some((f) => f.text?.includes("excluded")), "the except-ed event reached the gateway client");
});

test("same polling body: a binary event queued for a polling client (b<base64>, \\x1e-joined)", async () => {
  // One polling session per server, CONNECTed, then a binary event; the next GET returns all queued packets.
  const io = await h.emitter();
  const bodies = {};
  for (const [name, port] of [["node", node.port], ["gateway", gateway.port]]) {
    const open = await http(port, { path: "/socket.io/?EIO=4&transport=polling" });
    assert.equal(open.status, 200, `${name}: handshake ${open.body}`);
    const sid = JSON.parse(open.body.slice(1)).sid;
    const post = await http(port, {
      method: "POST",
      path: `/socket.io/?EIO=4&transport=polling&sid=${sid}`,
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: '40{"userId":"poll-exact"}',
    });
    assert.equal(post.status, 200, `${name}: POST ${post.body}`);
    assert.equal(post.body, "ok", name);
    const connect = await http(port, { path: `/socket.io/?EIO=4&transport=polling&sid=${sid}` });
    assert.match(connect.body, /^40\{"sid":"[A-Za-z0-9_-]{20}"\}$/, `${name}: CONNECT reply`);
    bodies[name] = { sid };
  }
  await h.waitReceivers("/", 2);
  io.to("user:poll-exact").emit("pbin", "é", Buffer.from([1, 2, 3]), { b: Buffer.from([0xff]) });
  io.to("user:poll-exact").emit("ptext", [1, "two"]);
  await sleep(300);
  for (const [name, port] of [["node", node.port], ["gateway", gateway.port]]) {
    const res = await http(port, { path: `/socket.io/?EIO=4&transport=polling&sid=${bodies[name].sid}` });
    bodies[name].status = res.status;
    bodies[name].contentType = res.headers["content-type"];
    bodies[name].body = res.body;
  }
  assert.equal(bodies.node.body, '452-["pbin","é",{"_placeholder":true,"num":0},{"b":{"_placeholder":true,"num":1}}]\x1ebAQID\x1eb/w==\x1e42["ptext",[1,"two"]]');
  assert.deepEqual(
    { status: bodies.gateway.status, contentType: bodies.gateway.contentType, body: bodies.gateway.body },
    { status: bodies.node.status, contentType: bodies.node.contentType, body: bodies.node.body },
  );
});
