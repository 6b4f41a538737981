// JWT mode (--auth jwt --jwt-secret S): the CONNECT auth payload {token} decides who a socket is. Valid HS256
// tokens connect and join user:<sub>; forged, expired, unsigned (alg none) and missing tokens are refused with
// connect_error; a user never receives another user's notifications.
import { test, before, after } from "node:test";
import { createHmac } from "node:crypto";
import assert from "node:assert/strict";
import { Harness, waitFor, sleep, QUIET_MS, assertNotification, load, jwt as signJwt, nowSeconds, b64url } from "./harness.mjs";
import { run } from "../../interop/lib/proc.mjs";

const SECRET = "e2e-secret-\u00e9-0123456789abcdef";
const h = new Harness();
let gateway;

// An HS256 JWT signed with SECRET unless another secret is given.
const jwt = (claims, options = {}) => signJwt(claims, { secret: SECRET, ...options });
const now = nowSeconds;

before(async () => {
  await h.start();
  gateway = await h.startGateway({ auth: "jwt", args: ["--jwt-secret", SECRET] });
});

after(() => h.close());

test("a valid token (sub 42) connects on every transport and joins user:42", async () => {
  const token = jwt({ sub: "42", iat: now(), exp: now() + 3600 });
  const clients = [];
  for (const transports of [undefined, ["websocket"], ["polling"]]) {
    clients.push(await h.connect(gateway.port, { auth: { token }, transports, label: `token sub 42 [${transports ?? "default"}]` }));
  }
  const m = h.mark();
  await h.notify(["--user", "42", "--type", "FOR_42"]);
  await waitFor(() => clients.every((c) => m.received(c).length >= 1), { message: "user 42's notification on each transport" });
  await sleep(QUIET_MS);
  for (const c of clients) {
    assert.equal(m.received(c).length, 1, c.label);
    assertNotification(m.received(c)[0], "FOR_42", c.label);
  }
});

test("`sio-gateway token --user 7` prints a token the gateway accepts for user 7", async () => {
  const r = await run(h.gatewayPath, ["token", "--user", "7", "--ttl", "1h", "--jwt-secret", SECRET], { timeoutMs: 10000 });
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  const token = r.stdout.trim();
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, r.stdout);
  const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url"));
  assert.equal(String(claims.sub), "7");
  assert.ok(Math.abs(claims.exp - claims.iat - 3600) <= 1, JSON.stringify(claims));
  const c = await h.connect(gateway.port, { auth: { token }, transports: ["websocket"], label: "sio-gateway token user 7" });
  const m = h.mark();
  await h.notify(["--user", "7", "--type", "FOR_7"]);
  await waitFor(() => m.received(c).length >= 1, { message: "user 7's notification" });
  assertNotification(m.received(c)[0], "FOR_7", c.label);
});

const REFUSED = [
  ["no auth payload at all", undefined],
  ["an auth payload without a token", { userId: "42" }],
  ["a token that is not a string", { token: 42 }],
  ["garbage", { token: "not.a.jwt" }],
  ["a bad signature (another secret)", { token: jwt({ sub: "42", exp: now() + 3600 }, { secret: "other-secret" }) }],
  ["a tampered payload (sub changed after signing)", {
    token: (() => {
      const [hd, , sig] = jwt({ sub: "7", exp: now() + 3600 }).split(".");
      return `${hd}.${b64url({ sub: "42", exp: now() + 3600 })}.${sig}`;
    })(),
  }],
  ["an expired token", { token: jwt({ sub: "42", iat: now() - 7200, exp: now() - 3600 }) }],
  ["alg none (unsigned)", { token: jwt({ sub: "42", exp: now() + 3600 }, { header: { alg: "none", typ: "JWT" } }) }],
  ["alg none with the HS256 signature kept", {
    token: (() => {
      const sig = jwt({ sub: "42", exp: now() + 3600 }).split(".")[2];
      return `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "42", exp: now() + 3600 })}.${sig}`;
    })(),
  }],
  ["HS512 (not the configured algorithm)", {
    token: (() => {
      const body = `${b64url({ alg: "HS512", typ: "JWT" })}.${b64url({ sub: "42", exp: now() + 3600 })}`;
      return `${body}.${createHmac("sha512", SECRET).update(body).digest("base64url")}`;
    })(),
  }],
];

for (const [what, auth] of REFUSED) {
  test(`refused with connect_error: ${what}`, async () => {
    for (const transports of [["polling"], ["websocket"]]) {
      const e = await h.connectError(gateway.port, { auth, transports });
      assert.ok(e.message && e.message.length > 0, `connect_error without a message: ${JSON.stringify(e)}`);
      assert.notEqual(e.message, "Invalid namespace");
      assert.notEqual(e.message, "xhr poll error", "refused at the Socket.IO level (CONNECT_ERROR), not by HTTP");
      assert.notEqual(e.message, "websocket error");
    }
  });
}

test("a client of user 7 never receives user 42's notifications (and the other way round)", async () => {
  const t7 = jwt({ sub: "7", exp: now() + 3600 });
  const t42 = jwt({ sub: "42", exp: now() + 3600 });
  // User 7 even claims to be 42 through auth.userId: in jwt mode only the token counts.
  const c7 = await h.connect(gateway.port, { auth: { token: t7, userId: "42" }, label: "user 7 (claims userId 42)" });
  const c42 = await h.connect(gateway.port, { auth: { token: t42 }, label: "user 42" });
  const m = h.mark();
  for (let i = 0; i < 5; i++) await h.notify(["--user", "42", "--type", "SECRET_42", "--payload", String(i)]);
  await h.notify(["--user", "7", "--type", "FOR_7"]);
  await waitFor(() => m.received(c42).length >= 5 && m.received(c7).length >= 1, { message: "both users' notifications" });
  await sleep(QUIET_MS);
  assert.deepEqual(m.received(c7).map((r) => r.args[0].type), ["FOR_7"], "user 7 got exactly its own notification");
  assert.deepEqual(m.received(c42).map((r) => r.args[0].type), Array(5).fill("SECRET_42"));
});

test("a refused client does not receive anything published afterwards", async () => {
  const forged = jwt({ sub: "42", exp: now() + 3600 }, { secret: "wrong" });
  const socket = load("socket.io-client").io(`http://127.0.0.1:${gateway.port}`, {
    auth: { token: forged },
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
  });
  const got = [];
  socket.onAny((...a) => got.push(a));
  try {
    await new Promise((resolve) => socket.once("connect_error", resolve));
    await h.notify(["--user", "42", "--type", "AFTER_REFUSAL"]);
    await sleep(QUIET_MS);
    assert.deepEqual(got, []);
    assert.equal(socket.connected, false);
  } finally {
    socket.disconnect();
  }
});
