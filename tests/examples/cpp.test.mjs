// examples/cpp/order_service.cpp (SIO_EXAMPLE_ORDER_SERVICE): worker threads on one shared sio::Emitter, against a
// real redis-server, a real Socket.IO server and real socket.io-client users.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { QUIET_MS, binaryFromEnv, checkNotification, cleanEnv, freePort, run, sleep, startStack, waitFor } from "./harness.mjs";

let stack, u42, u7, u8, program;

before(async () => {
  program = binaryFromEnv("SIO_EXAMPLE_ORDER_SERVICE", "sio-example-order-service");
  stack = await startStack();
  u42 = await stack.connectClient("42");
  u7 = await stack.connectClient("7");
  u8 = await stack.connectClient("8");
});

after(async () => {
  if (stack) await stack.stop();
});

async function orders(args, env = {}) {
  const r = await run(program, args, { timeoutMs: 20000, env: cleanEnv(env) });
  assert.equal(r.timedOut, false, "the order service timed out");
  return r;
}

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

test("4 workers x 5 orders for users 42 and 7: every order arrives once, to the right user", async () => {
  const m = stack.mark();
  const since = Date.now();
  const r = await orders(["--redis", stack.redis.url, "--workers", "4", "--orders", "5", "--user", "42", "--user", "7"]);
  const until = Date.now();
  assert.equal(r.code, 0, show(r));
  // One Socket.IO server listens: every publish has exactly one receiver.
  assert.equal(r.stdout, "order-service: 20 published, 20 receivers, 0 failures (0 bad data, 0 Redis)\n");
  assert.equal(r.stderr, "");
  await waitFor(() => m.received(u42).length >= 10 && m.received(u7).length >= 10, {
    message: "10 orders for each user",
  });
  await sleep(QUIET_MS);
  // Orders 1..20 alternate between the users: odd ones to 42, even ones to 7.
  for (const [c, parity] of [[u42, 1], [u7, 0]]) {
    const got = m.received(c);
    assert.equal(got.length, 10, c.label);
    for (const n of got) {
      assert.equal(n.event, "notification");
      assert.equal(n.args.length, 1);
      const { orderId } = n.args[0].payload;
      checkNotification(assert, n.args[0], {
        type: "ORDER_UPDATED",
        payload: { orderId, status: "SHIPPED", worker: Math.floor((orderId - 1) / 5) },
        since,
        until,
      });
    }
    const ids = got.map((n) => n.args[0].payload.orderId).sort((a, b) => a - b);
    assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => i + 1).filter((id) => id % 2 === parity), c.label);
  }
  assert.deepEqual(m.received(u8), []);
});

test("REDIS_URL from the environment; user 42 by default", async () => {
  const m = stack.mark();
  const r = await orders(["--workers", "2", "--orders", "3"], { REDIS_URL: stack.redis.url });
  assert.equal(r.code, 0, show(r));
  assert.match(r.stdout, /: 6 published, 6 receivers, 0 failures/);
  await waitFor(() => m.received(u42).length >= 6, { message: "6 orders for user 42" });
  await sleep(QUIET_MS);
  assert.deepEqual(m.received(u42).map((n) => n.args[0].payload.orderId).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(m.received(u7), []);
});

test("bad data (a reserved event name): sio::data_error, no retry, counted as failures, nothing delivered", async () => {
  const m = stack.mark();
  const r = await orders(["--redis", stack.redis.url, "--workers", "2", "--orders", "2", "--event", "disconnect"]);
  assert.equal(r.code, 1, show(r));
  assert.equal(r.stdout, "order-service: 0 published, 0 receivers, 4 failures (4 bad data, 0 Redis)\n");
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 4, r.stderr);
  for (const l of lines) assert.match(l, /^order \d: not sent, bad data \(/);
  await sleep(QUIET_MS);
  for (const c of [u42, u7, u8]) assert.deepEqual(m.received(c), [], c.label);
});

test("unreachable Redis: sio::redis_error, retried twice, then counted as failures", async () => {
  const port = await freePort(); // nothing listens there
  const r = await orders(["--redis", `redis://127.0.0.1:${port}`, "--workers", "2", "--orders", "2"]);
  assert.equal(r.code, 1, show(r));
  assert.equal(r.stdout, "order-service: 0 published, 0 receivers, 4 failures (0 bad data, 4 Redis)\n");
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.filter((l) => / attempt [12] failed \(.*\), retrying: /.test(l)).length, 8, r.stderr);
  assert.equal(lines.filter((l) => / not sent after 3 attempts \(/.test(l)).length, 4, r.stderr);
  assert.equal(lines.length, 12, r.stderr);
});

test("--help: the usage on stdout, exit 0 (issue 25: it was an unknown option, exit 2)", async () => {
  for (const flag of ["--help", "-h"]) {
    const r = await orders([flag]);
    assert.equal(r.code, 0, `${flag}: ${show(r)}`);
    assert.match(r.stdout, /^usage: \S+ \[--redis URL\] \[--workers N\]/);
    assert.match(r.stdout, /--workers N +worker threads/);
    assert.equal(r.stderr, "");
  }
});

test("usage errors: exit 2", async () => {
  for (const args of [["--workers", "0"], ["--orders", "x"], ["--bogus", "1"], ["--user"]]) {
    const r = await orders(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${show(r)}`);
    assert.match(r.stderr, /^order-service: .*\nusage: /, args.join(" "));
  }
});
