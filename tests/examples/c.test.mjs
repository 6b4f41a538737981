// examples/c/billing_service.c (SIO_EXAMPLE_BILLING_SERVICE), a C99 program on the C API, against a real
// redis-server, a real Socket.IO server and real socket.io-client users.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { QUIET_MS, binaryFromEnv, checkNotification, cleanEnv, freePort, run, sleep, startStack, waitFor } from "./harness.mjs";

let stack, u42, u7, u8, program;

before(async () => {
  program = binaryFromEnv("SIO_EXAMPLE_BILLING_SERVICE", "sio-example-billing-service");
  stack = await startStack();
  u42 = await stack.connectClient("42");
  u7 = await stack.connectClient("7");
  u8 = await stack.connectClient("8");
});

after(async () => {
  if (stack) await stack.stop();
});

async function billing(args, { input, env = {} } = {}) {
  const r = await run(program, args, { timeoutMs: 20000, env: cleanEnv(env), input });
  assert.equal(r.timedOut, false, "the billing service timed out");
  return r;
}

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
const amounts = (got) => got.map((n) => n.args[0].payload.amount);

test("invoices on the command line: each user gets exactly their INVOICE_PAID notifications", async () => {
  const m = stack.mark();
  const since = Date.now();
  const r = await billing(["--redis", stack.redis.url, "42", "1250", "7", "990", "0042", "5"]);
  const until = Date.now();
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stderr, "");
  assert.deepEqual(r.stdout.split("\n").filter(Boolean), [
    "billing: invoice 1 for user:42: 1250 cents, 1 receiver(s)",
    "billing: invoice 2 for user:7: 990 cents, 1 receiver(s)",
    "billing: invoice 3 for user:42: 5 cents, 1 receiver(s)", // "0042" is user 42
    "billing: 3 invoice(s): 3 published, 0 failed, 3 receiver(s)",
  ]);
  await waitFor(() => m.received(u42).length >= 2 && m.received(u7).length >= 1, { message: "3 notifications" });
  await sleep(QUIET_MS);
  assert.equal(m.received(u42).length, 2);
  assert.equal(m.received(u7).length, 1);
  assert.deepEqual(m.received(u8), []);
  for (const [c, amount] of [[u42, 1250], [u42, 5], [u7, 990]]) {
    const n = m.received(c).find((x) => x.args[0].payload.amount === amount);
    assert.ok(n, `${c.label}: ${amount}`);
    assert.equal(n.event, "notification");
    assert.equal(n.args.length, 1);
    checkNotification(assert, n.args[0], { type: "INVOICE_PAID", payload: { amount, currency: "EUR" }, since, until });
  }
  assert.deepEqual(amounts(m.received(u42)), [1250, 5], "published in order");
});

test("invoices on stdin, REDIS_URL from the environment; blank and # lines skipped", async () => {
  const m = stack.mark();
  const r = await billing([], { input: "# paid today\n\n42 100\n  7\t 200  \n", env: { REDIS_URL: stack.redis.url } });
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /billing: 2 invoice\(s\): 2 published, 0 failed, 2 receiver\(s\)\n$/);
  await waitFor(() => m.received(u42).length >= 1 && m.received(u7).length >= 1, { message: "2 notifications" });
  await sleep(QUIET_MS);
  assert.deepEqual(amounts(m.received(u42)), [100]);
  assert.deepEqual(amounts(m.received(u7)), [200]);
});

test("bad lines are refused (not echoed), the good ones still go out, exit 1", async () => {
  const m = stack.mark();
  const input = [
    "42 100",
    '42"} 1', // would break the JSON or the room if it were pasted in
    "abc 5",
    "7 1.50",
    "7",
    "7 -3",
    "\x1b]0;pwned\x07 1",
    "8 1234567890123456", // 16 digits: beyond 2^53, JavaScript could not hold it exactly
    "1234567890123456789 1", // 19 digits
    `${"9".repeat(300)} 5`, // longer than a line buffer
    "8 300",
    "",
  ].join("\n");
  const r = await billing(["--redis", stack.redis.url], { input });
  assert.equal(r.code, 1, show(r));
  assert.match(r.stdout, /billing: 11 invoice\(s\): 2 published, 9 failed, 2 receiver\(s\)\n$/);
  const errors = r.stderr.split("\n").filter(Boolean);
  assert.equal(errors.length, 9, r.stderr);
  for (const l of errors) assert.match(l, /^billing: invoice \d+: expected "USER_ID AMOUNT_CENTS" as digits/);
  assert.ok(!r.stderr.includes("pwned") && !r.stderr.includes("\x1b"), "input is not echoed");
  await waitFor(() => m.received(u42).length >= 1 && m.received(u8).length >= 1, { message: "the 2 good invoices" });
  await sleep(QUIET_MS);
  assert.deepEqual(amounts(m.received(u42)), [100]);
  assert.deepEqual(amounts(m.received(u8)), [300]);
  assert.deepEqual(m.received(u7), []);
});

test("unreachable Redis: one error line with sio_strerror and the message, exit 1, nothing published", async () => {
  const port = await freePort(); // nothing listens there
  const r = await billing(["--redis", `redis://127.0.0.1:${port}`, "42", "100"]);
  assert.equal(r.code, 1, show(r));
  assert.equal(r.stdout, "");
  // Said once (issue 25: "cannot reach Redis: Redis unreachable: cannot connect to Redis at ...").
  assert.match(r.stderr, new RegExp(`^billing: Redis unreachable: cannot connect to Redis at redis://127\\.0\\.0\\.1:${port}/0: Connection refused\\n$`));
});

test("a Redis URL that does not parse: exit 1 with the reason", async () => {
  const r = await billing(["--redis", "http://127.0.0.1:1", "42", "100"]);
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /^billing: cannot create the emitter: [^:]+: .*http/);
});

test("usage: an odd number of arguments is exit 2", async () => {
  const r = await billing(["--redis", stack.redis.url, "42"]);
  assert.equal(r.code, 2, show(r));
  assert.match(r.stderr, /^billing: usage: /);
});
