// examples/python: send_notification.py and the sio.py module (ctypes over the built libsio-emitter.so, SIO_LIBRARY)
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
    timeoutMs: 20000, input, env: cleanEnv({ SIO_LIBRARY: library, PYTHONPATH: PYTHON_DIR, ...SANITIZER_ENV, ...env }),
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
    [4, ["--user", "42", "--type", "T", "--redis", `redis://127.0.0.1:${port}`], /Redis unreachable: .*Connection refused/],
  ];
  for (const [code, args, stderr] of cases) {
    const r = await python([SCRIPT, ...args]);
    assert.equal(r.code, code, `${args.join(" ")}: ${show(r)}`);
    assert.match(r.stderr, stderr, args.join(" "));
  }
  const r = await python([SCRIPT, "--user", "42", "--type", "T"], { env: { SIO_LIBRARY: join(tmp, "missing.so") } });
  assert.equal(r.code, 1, show(r));
  assert.match(r.stderr, /^send_notification: .*missing\.so/);
  // No library anywhere: the hint names this script's flag (issue 25: it said library=PATH, sio.py's argument).
  const none = await python([SCRIPT, "--user", "42", "--type", "T"], { env: { SIO_LIBRARY: "", LD_LIBRARY_PATH: "" } });
  assert.equal(none.code, 1, show(none));
  assert.match(none.stderr, /^send_notification: libsio-emitter\.so not found: set SIO_LIBRARY to its path, .* or give --library PATH\n$/);
});

// The module's whole surface, driven from one Python process; it prints what it observed as JSON.
const DRIVER = String.raw`
import json, sys, threading
import sio

url, dead_url = sys.argv[1], sys.argv[2]
out = {}
with sio.Emitter(url, timeout=2) as io:
    out["emit"] = io.emit("chat", "hello", 42, 1.5, [1, None, True], {"a": {"b": "c"}}, to=["user:42", "user:7"], except_=["user:7"])
    out["join"] = io.sockets_join(["vip"], to=["user:7"])
    io.emit("vip", "in", to="vip")  # a str is one room
    io.sockets_leave("vip", to=["user:7"])
    io.emit("vip", "out", to=["vip"])
    io.emit("control", to=["user:7"])
    io.emit("tick", nsp="/admin", volatile=True, compress=False)
    out["server_side_emit"] = io.server_side_emit("hello", {"from": "python"}, 2)
    errors = {}
    for name, call in [
        ("reserved", lambda: io.emit("connect")),
        ("empty_room", lambda: io.emit("x", to=[""])),
        ("empty_event", lambda: io.emit("")),
    ]:
        try:
            call()
        except sio.DataError as e:
            errors[name] = [e.status.name, type(e).__name__, isinstance(e, sio.SioError), e.message != ""]
    out["errors"] = errors

    # One emitter shared by 4 threads, 5 emits each.
    counts = []
    def worker(w):
        for i in range(5):
            counts.append(io.emit("threaded", w * 5 + i, to=["user:8"]))
    threads = [threading.Thread(target=worker, args=(w,)) for w in range(4)]
    for t in threads: t.start()
    for t in threads: t.join()
    out["threaded"] = sorted(counts)
    io.flush(1)
    out["disconnect"] = io.disconnect_sockets(to=["user:8"])

try:
    io.emit("after-close")
except ValueError as e:
    out["closed"] = str(e)

try:
    with sio.Emitter(dead_url, timeout=2) as dead:
        dead.emit("x")
except sio.RedisError as e:
    out["dead"] = [e.status.name, type(e).__name__]
try:
    sio.Emitter("http://example.com")
except sio.DataError as e:
    out["bad_url"] = e.status.name
with sio.Emitter(dry_run=True) as dry:
    out["dry_run"] = dry.emit("x", 1)
with sio.Emitter(url, timeout=2, mode="streams", stream_name="py-stream") as streams:
    first, second = streams.publish("n", 1), streams.publish("n", 2, to="user:42")
    out["streams"] = [first.receivers, first.offset, second.offset]
try:
    sio.Emitter(url, mode="fast")
except ValueError as e:
    out["bad_mode"] = str(e)
out["version"] = sio.library_version()
print(json.dumps(out))
`;

test("sio.py: emit (rooms, except, nsp, flags), join/leave, server_side_emit, disconnect, errors, threads", async () => {
  const dead = await freePort();
  const m = stack.mark();
  const serverLines = stack.serverMark();
  const r = await python(["-c", DRIVER, stack.redis.url, `redis://127.0.0.1:${dead}`]);
  assert.equal(r.code, 0, show(r));
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out, {
    emit: 1,
    join: 1,
    server_side_emit: 1,
    errors: {
      reserved: ["RESERVED_EVENT", "DataError", true, true],
      empty_room: ["INVALID_ARGUMENT", "DataError", true, true],
      empty_event: ["INVALID_ARGUMENT", "DataError", true, true],
    },
    threaded: Array(20).fill(1),
    disconnect: 1,
    closed: "this Emitter is closed",
    dead: ["CONNECTION", "RedisError"],
    bad_url: "INVALID_URL",
    dry_run: null,
    streams: out.streams,
    bad_mode: "mode must be one of classic, sharded, streams, not 'fast'",
    version: out.version,
  });
  // Streams mode: no receivers, and each publish's offset is the id of its entry in the stream.
  const [receivers, firstId, secondId] = out.streams;
  assert.equal(receivers, null);
  const entries = await stack.admin.sendCommand(["XRANGE", "py-stream", "-", "+"]);
  assert.deepEqual(entries.map(([id]) => id), [firstId, secondId]);
  assert.match(entries[1][1][7], /"rooms":\["user:42"\]/);
  assert.match(out.version, /^\d+\.\d+\.\d+$/);

  await waitFor(() => m.disconnects(u8).length >= 1 && m.received(u7).some((x) => x.event === "control"), {
    message: "user 8's disconnect and user 7's control event",
  });
  await waitFor(() => serverLines().some((l) => l.serverSideEmit === "hello"), { message: "the server-side event" });
  await sleep(QUIET_MS);

  const events = (c) => m.received(c).map((x) => [x.event, ...x.args]);
  assert.deepEqual(events(u42), [["chat", "hello", 42, 1.5, [1, null, true], { a: { b: "c" } }]]);
  // user 7: excluded from the chat; in room vip only between join and leave.
  assert.deepEqual(events(u7), [["vip", "in"], ["control"]]);
  assert.deepEqual(events(admin42), [["tick"]]);
  const threaded = m.received(u8).filter((x) => x.event === "threaded").map((x) => x.args[0]).sort((a, b) => a - b);
  assert.deepEqual(threaded, Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(m.disconnects(u8).map((d) => d.reason), ["io server disconnect"]);
  assert.deepEqual(
    serverLines().filter((l) => l.serverSideEmit).map(({ serverSideEmit, nsp, args }) => ({ serverSideEmit, nsp, args })),
    [{ serverSideEmit: "hello", nsp: "/", args: [{ from: "python" }, 2] }],
  );
});
