// examples/python: send_notification.py on the sio package of bindings/python (from its source, PYTHONPATH; ctypes over
// the built libsio-emitter.so, SIO_LIBRARY)
// against a real redis-server, a real Socket.IO server and real socket.io-client users: what the client receives is
// exactly what Python sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  EXAMPLES_DIR, QUIET_MS, binaryFromEnv, checkNotification, cleanEnv, freePort, run, sleep, startStack, waitFor,
} from "./harness.mjs";

const PYTHON_DIR = join(EXAMPLES_DIR, "python");
const PACKAGE_DIR = join(EXAMPLES_DIR, "..", "bindings", "python", "src");
const SCRIPT = join(PYTHON_DIR, "send_notification.py");
const PYTHON = process.env.SIO_PYTHON || "python3";

let stack, u42, u7, u8, admin42, library, tmp;

before(async () => {
  library = binaryFromEnv("SIO_LIBRARY", "sio-emitter");
  if (!/\.so(\.\d+)*$/.test(library)) {
    throw new Error(`SIO_LIBRARY=${library}: the Python example needs the shared libsio-emitter.so`);
  }
  tmp = mkdtempSync(join(tmpdir(), "sio-python-example-"));
  stack = await startStack();
  u42 = await stack.connectClient("42");
  u7 = await stack.connectClient("7");
  u8 = await stack.connectClient("8");
  admin42 = await stack.connectClient("42", "/admin");
});

after(async () => {
  if (stack) await stack.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// Sanitizer builds: the runtimes libsio-emitter.so needs, loaded first (see CMakeLists.txt). Python's own
// allocations at exit are not leaks of ours.
const SANITIZER_ENV = process.env.SIO_PYTHON_LD_PRELOAD
  ? { LD_PRELOAD: process.env.SIO_PYTHON_LD_PRELOAD, ASAN_OPTIONS: "detect_leaks=0" }
  : {};

async function python(args, { env = {}, input } = {}) {
  // -B: no __pycache__ written into the source tree.
  const r = await run(PYTHON, ["-B", ...args], {
    timeoutMs: 20000, input, env: cleanEnv({ SIO_LIBRARY: library, PYTHONPATH: PACKAGE_DIR, ...SANITIZER_ENV, ...env }),
  });
  assert.equal(r.timedOut, false, `python ${args.join(" ")} timed out`);
  return r;
}

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

test("send_notification.py: the user-42 client receives exactly the notification sent", async () => {
  const payload = {
    orderId: 7,
    items: [{ sku: "A-1", qty: 2 }, { sku: "B-2", qty: 1 }],
    note: "café ☕ \"quoted\" \\ 😀",
    total: 12.5,
    gift: false,
    coupon: null,
    big: 9007199254740991,
  };
  const m = stack.mark();
  const since = Date.now();
  const r = await python([SCRIPT, "--redis", stack.redis.url, "--user", "42", "--type", "ORDER_UPDATED",
    "--payload", JSON.stringify(payload)]);
  const until = Date.now();
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, "sent ORDER_UPDATED to user:42: 1 receiver(s)\n");
  assert.equal(r.stderr, "");
  await waitFor(() => m.received(u42).length >= 1, { message: "user 42's notification" });
  await sleep(QUIET_MS);
  assert.equal(m.received(u42).length, 1);
  const [n] = m.received(u42);
  assert.equal(n.event, "notification");
  assert.equal(n.args.length, 1);
  checkNotification(assert, n.args[0], { type: "ORDER_UPDATED", payload, since, until });
  for (const c of [u7, u8, admin42]) assert.deepEqual(m.received(c), [], c.label);
});

test("send_notification.py --attach: bytes arrive as a Buffer; several users; REDIS_URL from the environment", async () => {
  const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const file = join(tmp, "report.bin");
  writeFileSync(file, bytes);
  const m = stack.mark();
  const r = await python([SCRIPT, "--user", "42", "--user", "7", "--type", "REPORT_READY", "--attach", file],
    { env: { REDIS_URL: stack.redis.url } });
  assert.equal(r.code, 0, show(r));
  assert.equal(r.stdout, "sent REPORT_READY to user:42: 1 receiver(s)\nsent REPORT_READY to user:7: 1 receiver(s)\n");
  await waitFor(() => m.received(u42).length >= 1 && m.received(u7).length >= 1, { message: "both users' reports" });
  await sleep(QUIET_MS);
  for (const c of [u42, u7]) {
    assert.equal(m.received(c).length, 1, c.label);
    const [n] = m.received(c);
    assert.equal(n.args.length, 2);
    assert.deepEqual(Object.keys(n.args[0]), ["type", "timestamp"], "no payload key without --payload");
    assert.equal(n.args[0].type, "REPORT_READY");
    assert.ok(Buffer.isBuffer(n.args[1]), `${c.label}: a Buffer, got ${typeof n.args[1]}`);
    assert.ok(bytes.equals(n.args[1]), c.label);
  }
  assert.deepEqual(m.received(u8), []);
});

test("send_notification.py: the library found by --library, and by find_library through LD_LIBRARY_PATH", async () => {
  for (const [how, args, env] of [
    ["BY_LIBRARY_OPTION", ["--library", library], { SIO_LIBRARY: "" }],
    ["BY_FIND_LIBRARY", [], { SIO_LIBRARY: "", LD_LIBRARY_PATH: dirname(library) }],
  ]) {
    const m = stack.mark();
    const r = await python([SCRIPT, "--redis", stack.redis.url, "--user", "8", "--type", how, ...args], { env });
    assert.equal(r.code, 0, `${how}: ${show(r)}`);
    await waitFor(() => m.received(u8).length >= 1, { message: `user 8's ${how} notification` });
    assert.equal(m.received(u8)[0].args[0].type, how);
  }
});

test("send_notification.py exit codes: 2 usage and bad URL, 3 invalid data, 4 unreachable, 1 no library", async () => {
  const port = await freePort();
  const cases = [
    [2, ["--user", "42", "--type", "T", "--payload", "{bad"], /not JSON/],
    [2, ["--user", "42", "--type", "T", "--redis", "http://127.0.0.1:1"], /invalid Redis URL/],
    [3, ["--user", "42", "--type", "T", "--event", "connect", "--redis", stack.redis.url], /invalid data, nothing published: /],
    [3, ["--user", "42", "--type", "T", "--payload", "NaN", "--redis", stack.redis.url], /invalid data, nothing published: /],
    [4, ["--user", "42", "--type", "T", "--redis", `redis://127.0.0.1:${port}`], /cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+\/0: Connection refused/],
  ];
  for (const [code, args, stderr] of cases) {
    const r = await python([SCRIPT, ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${show(r)}`);
    assert.match(r.stderr, stderr, args.join(" "));
  }
  const r = await python([SCRIPT, "--user", "42", "--type", "T"], { env: { SIO_LIBRARY: join(tmp, "missing.so") } });
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /^send_notification: .*missing\.so/);
  // No library anywhere: the package's hint, and this script's flag.
  const none = await python([SCRIPT, "--user", "42", "--type", "T"], { env: { SIO_LIBRARY: "", LD_LIBRARY_PATH: "" } });
  assert.equal(none.code, 1, show(none));
  assert.match(none.stderr, /^send_notification: libsio-emitter not found: install it .* or set SIO_LIBRARY=\/path\/to\/libsio-emitter\.so\. Looked in: .*; or give --library PATH\n$/);
});
