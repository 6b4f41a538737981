// Hostile tokens against a gateway in JWT mode with its default flags (issue 24): a token segment nested deeper
// than any parser's stack (it crashed the gateway before its signature was checked), a validly signed token whose
// claims repeat "sub" (JSON.parse, so every Node JWT library, reads the last one; the gateway read the first), and a
// signed token without exp (refused unless --jwt-exp-optional). A well-behaved user connected before the attack
// must notice nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Harness, waitFor, assertNotification, jwt as signJwt, nowSeconds, b64url, bystander, assertServing } from "./harness.mjs";
import { rawConnect } from "./raw.mjs";

const SECRET = "e2e-hostile-secret-0123456789abcdef";
const h = new Harness();
let gateway;
let b;
let roomy;  // --max-connect-payload 1000000: a 150 KB CONNECT reaches the token parser
let roomyBystander;

const jwt = (claims, options = {}) => signJwt(claims, { secret: SECRET, ...options });
const now = nowSeconds;

before(async () => {
  await h.start();
  gateway = await h.startGateway({ auth: "jwt", args: ["--jwt-secret", SECRET] });
  b = await bystander(h, gateway, { secret: SECRET });
  roomy = await h.startGateway({ auth: "jwt", args: ["--jwt-secret", SECRET, "--max-connect-payload", "1000000"] });
  roomyBystander = await bystander(h, roomy, { secret: SECRET });
});

after(() => h.close());

// The gateway's answer to a raw WebSocket CONNECT carrying `token`: the CONNECT_ERROR's message.
async function refusalOf(token, g = gateway) {
  const r = await rawConnect(g.port, { auth: { token }, timeoutMs: 10000 });
  try {
    h.checkGateways();
    assert.ok(r.connect !== undefined, `the connection closed without an answer to CONNECT (closed: ${r.closed})`);
    assert.ok(r.connect.startsWith("44{"), `expected a CONNECT_ERROR, got ${r.connect.slice(0, 200)}`);
    return JSON.parse(r.connect.slice(2)).message;
  } finally {
    r.close();
  }
}

test("a token segment nested 150,000 deep is refused as malformed, and the gateway keeps serving", async () => {
  const deep = "[".repeat(150000);
  const claims = b64url({ sub: "42", exp: now() + 3600 });
  // With the defaults such a CONNECT (about 200 KB) is larger than --max-connect-payload: closed with 1009 unread.
  const tooBig = await rawConnect(gateway.port, { auth: { token: `${b64url(deep)}.${claims}.c2ln` }, timeoutMs: 10000 });
  await waitFor(() => tooBig.closed, { message: "the oversized CONNECT to be refused" });
  assert.equal(tooBig.connect, undefined, "no answer to an oversized CONNECT: the connection is closed");
  tooBig.close();
  await assertServing(h, gateway, b, "deep token (size)");
  // With a limit that lets it through, the token parser itself must hold: unsigned garbage in the header is
  // refused before the signature is looked at.
  assert.equal(await refusalOf(`${b64url(deep)}.${claims}.c2ln`, roomy), "invalid token: malformed header");
  // A valid header, the deep text as the claims.
  assert.equal(await refusalOf(`${b64url({ alg: "HS256", typ: "JWT" })}.${b64url(deep)}.c2ln`, roomy),
    "invalid token: malformed claims");
  await assertServing(h, roomy, roomyBystander, "deep token");
});

test("a validly signed token that repeats sub is refused: it must not join either user", async () => {
  const exp = now() + 3600;
  const token = jwt(`{"sub":"43","sub":"42","exp":${exp}}`);
  assert.equal(JSON.parse(Buffer.from(token.split(".")[1], "base64url")).sub, "42", "JSON.parse reads the last sub");
  for (const transports of [["websocket"], ["polling"]]) {
    const e = await h.connectError(gateway.port, { auth: { token }, transports });
    assert.equal(e.message, 'invalid token: duplicate claim name "sub"', String(transports));
  }
  const header = `{"alg":"HS256","alg":"none","typ":"JWT"}`;
  const e = await h.connectError(gateway.port, { auth: { token: jwt({ sub: "42", exp }, { header }) } });
  assert.equal(e.message, 'invalid token: duplicate header parameter "alg"');
  await assertServing(h, gateway, b, "duplicate names");
});

test("a signed token without exp is refused by default, accepted with --jwt-exp-optional", async () => {
  const token = jwt({ sub: "77", iat: now() });
  const e = await h.connectError(gateway.port, { auth: { token } });
  assert.equal(e.message, "invalid token: no exp (the token must expire; --jwt-exp-optional accepts tokens without one)");

  const lenient = await h.startGateway({ auth: "jwt", args: ["--jwt-secret", SECRET, "--jwt-exp-optional"] });
  const c = await h.connect(lenient.port, { auth: { token }, transports: ["websocket"], label: "user 77 without exp" });
  const m = h.mark();
  await h.notify(["--user", "77", "--type", "FOR_77"]);
  await waitFor(() => m.received(c).length >= 1, { message: "user 77's notification" });
  assertNotification(m.received(c)[0], "FOR_77", c.label);
  // Optional is not ignored: an exp that is there is still checked.
  const expired = await h.connectError(lenient.port, { auth: { token: jwt({ sub: "77", exp: now() - 60 }) } });
  assert.equal(expired.message, "invalid token: expired");
  c.socket.disconnect();
});

test("a refused CONNECT is logged once per connection at info with its reason, never with the token", async () => {
  const token = jwt({ sub: "42", exp: now() - 60 });
  const before = gateway.logs.length;
  const r = await rawConnect(gateway.port, { auth: { token }, timeoutMs: 10000 });
  try {
    assert.ok(r.connect?.startsWith("44{"), `a CONNECT_ERROR, got ${r.connect}`);
    // The same connection tries again: still one line.
    r.ws.send(`40${JSON.stringify({ token })}`);
    await waitFor(() => r.frames.length >= 1 || r.closed, { message: "the second refusal" });
  } finally {
    r.close();
  }
  await waitFor(() => gateway.logs.slice(before).some((l) => l.msg === "connect refused"), { message: "the refusal's log line" });
  const lines = gateway.logs.slice(before).filter((l) => l.msg === "connect refused");
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0].level, "info");
  assert.equal(lines[0].reason, "invalid token: expired");
  assert.equal(lines[0].nsp, "/");
  assert.equal(lines[0].address, "127.0.0.1");
  assert.ok(!gateway.stderr.includes(token.split(".")[2]), "the token's signature never reaches the log");
  await assertServing(h, gateway, b, "refusal logged");
});
