// examples/shell/notify-cron.sh with the real notify (SIO_NOTIFY), a real redis-server, a real Socket.IO server and
// real socket.io-client users: delivery, and each exit code with its log line and retry policy.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  EXAMPLES_DIR, QUIET_MS, binaryFromEnv, checkNotification, cleanEnv, freePort, run, sleep, startStack, waitFor,
} from "./harness.mjs";

const SCRIPT = join(EXAMPLES_DIR, "shell", "notify-cron.sh");
const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ notify-cron: (info|warning|error): /;

let stack, u42, u7, notify;
let silent; // a TCP server that accepts and never answers: what a hung Redis looks like
const silentSockets = [];

before(async () => {
  notify = binaryFromEnv("SIO_NOTIFY", "notify");
  stack = await startStack();
  u42 = await stack.connectClient("42");
  u7 = await stack.connectClient("7");
  silent = createServer((s) => silentSockets.push(s.on("error", () => {})));
  await new Promise((r) => silent.listen(0, "127.0.0.1", r));
});

after(async () => {
  for (const s of silentSockets) s.destroy();
  if (silent) silent.close();
  if (stack) await stack.stop();
});

async function cron(args, env = {}) {
  const started = Date.now();
  const r = await run("bash", [SCRIPT, ...args], {
    timeoutMs: 20000,
    env: cleanEnv({
      NOTIFY: notify, REDIS_URL: stack.redis.url, NOTIFY_CRON_RETRY_DELAY: "0", NOTIFY_TIMEOUT: "2s", ...env,
    }),
  });
  assert.equal(r.timedOut, false, `notify-cron.sh timed out\n${r.stdout}${r.stderr}`);
  r.elapsed = Date.now() - started;
  r.lines = r.stdout.split("\n").filter(Boolean);
  r.errLines = r.stderr.split("\n").filter(Boolean);
  for (const l of r.lines) assert.match(l, LINE);
  return r;
}

const show = (r) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

test("live Redis and server: exit 0, one info line, the user gets exactly the digest", async () => {
  const m = stack.mark();
  const since = Date.now();
  const r = await cron(["42"], { DIGEST_PAYLOAD: '{"unread":3,"title":"Résumé du jour 😀"}' });
  const until = Date.now();
  assert.equal(r.code, 0, show(r));
  assert.equal(r.lines.length, 1, show(r));
  assert.match(r.lines[0], /info: user 42: daily digest sent \(attempt 1\)$/);
  assert.equal(r.stderr, "", "nothing on stderr, so cron mails nothing");
  await waitFor(() => m.received(u42).length >= 1, { message: "user 42's digest" });
  await sleep(QUIET_MS);
  assert.equal(m.received(u42).length, 1);
  assert.deepEqual(m.received(u7), []);
  const [n] = m.received(u42);
  assert.equal(n.event, "notification");
  assert.equal(n.args.length, 1);
  checkNotification(assert, n.args[0], {
    type: "DAILY_DIGEST", payload: { unread: 3, title: "Résumé du jour 😀" }, since, until,
  });
});

test("several users and the default payload {date: today (UTC)}", async () => {
  const m = stack.mark();
  const r = await cron(["42", "7"]);
  assert.equal(r.code, 0, show(r));
  assert.equal(r.lines.length, 2, show(r));
  await waitFor(() => m.received(u42).length >= 1 && m.received(u7).length >= 1, { message: "both digests" });
  await sleep(QUIET_MS);
  const today = new Date().toISOString().slice(0, 10);
  for (const c of [u42, u7]) {
    assert.equal(m.received(c).length, 1, c.label);
    assert.deepEqual(m.received(c)[0].args[0].payload, { date: today }, c.label);
  }
});

test("unreachable Redis (exit 4): retried with the backoff, then one error line and exit 4", async () => {
  const port = await freePort(); // nothing listens there
  const r = await cron(["42"], {
    REDIS_URL: `redis://127.0.0.1:${port}`, NOTIFY_CRON_ATTEMPTS: "3", NOTIFY_CRON_RETRY_DELAY: "1",
  });
  assert.equal(r.code, 4, show(r));
  assert.equal(r.lines.length, 3, show(r));
  assert.match(r.lines[0], /warning: user 42: Redis unreachable \(attempt 1 of 3\), retrying in 1s: notify: error: /);
  assert.match(r.lines[1], /warning: user 42: Redis unreachable \(attempt 2 of 3\), retrying in 2s: /);
  assert.match(r.lines[2], /error: user 42: Redis unreachable, giving up after 3 attempt\(s\): notify: error: /);
  assert.deepEqual(r.errLines, r.lines, "warnings and errors also on stderr (mailed by cron)");
  assert.ok(r.elapsed >= 3000, `the retries waited 1 s then 2 s (took ${r.elapsed} ms)`);
});

test("Redis that never answers (exit 6): retried, then exit 6", async () => {
  const r = await cron(["42"], {
    REDIS_URL: `redis://127.0.0.1:${silent.address().port}`, NOTIFY_TIMEOUT: "200ms", NOTIFY_CRON_ATTEMPTS: "2",
  });
  assert.equal(r.code, 6, show(r));
  assert.equal(r.lines.length, 2, show(r));
  assert.match(r.lines[0], /warning: user 42: Redis timed out \(attempt 1 of 2\), retrying in 0s: /);
  assert.match(r.lines[1], /error: user 42: Redis timed out, giving up after 2 attempt\(s\): /);
});

test("bad payload (exit 3): one error line, no retry, nothing delivered", async () => {
  const m = stack.mark();
  const r = await cron(["42"], { DIGEST_PAYLOAD: '{"unread":', NOTIFY_CRON_ATTEMPTS: "3" });
  assert.equal(r.code, 3, show(r));
  assert.equal(r.lines.length, 1, show(r));
  assert.match(r.lines[0], /error: user 42: invalid digest payload, nothing was published; not retried: notify: error: /);
  assert.deepEqual(r.errLines, r.lines);
  await sleep(QUIET_MS);
  assert.deepEqual(m.received(u42), []);
});

test("wrong password (exit 5): not retried", async () => {
  const r = await cron(["42"], { REDIS_URL: `redis://:nope@127.0.0.1:${stack.redis.port}`, NOTIFY_CRON_ATTEMPTS: "3" });
  assert.equal(r.code, 5, show(r));
  assert.equal(r.lines.length, 1, show(r));
  assert.match(r.lines[0], /error: user 42: Redis refused \(password, ACL or error reply\); not retried: /);
});

test("no server on that key (exit 7): published to nobody, not retried", async () => {
  const r = await cron(["42"], { SIO_KEY: "another-app", NOTIFY_CRON_ATTEMPTS: "3" });
  assert.equal(r.code, 7, show(r));
  assert.equal(r.lines.length, 1, show(r));
  assert.match(r.lines[0], /error: user 42: published but no Socket\.IO server received it .*; not retried$/);
});

test("usage errors (exit 2): no user, and a REDIS_URL notify cannot parse", async () => {
  const none = await cron([]);
  assert.equal(none.code, 2, show(none));
  assert.match(none.lines[0], /error: usage: notify-cron\.sh USER_ID\.\.\.$/);

  const bad = await cron(["42"], { REDIS_URL: "http://127.0.0.1:1", NOTIFY_CRON_ATTEMPTS: "3" });
  assert.equal(bad.code, 2, show(bad));
  assert.equal(bad.lines.length, 1, show(bad));
  assert.match(bad.lines[0], /error: user 42: usage error, check REDIS_URL and this script's notify options; not retried: /);
});

test("REDIS_URL unset: a warning line first (NOTIFY=true here: nothing may reach a Redis on the default port)", async () => {
  const r = await cron(["42"], { REDIS_URL: "", NOTIFY: "true" });
  assert.equal(r.code, 0, show(r));
  assert.match(r.lines[0], /warning: REDIS_URL is not set: notify uses redis:\/\/127\.0\.0\.1:6379$/);
  assert.match(r.lines[1], /info: user 42: daily digest sent/);
});

// crontab.example's job line, run as cron would (sh -c, only the crontab's environment): the script path is where the
// file's own install line puts it (issue 25: it pointed at /opt/sio/examples/..., which nothing installs).
test("crontab.example: its job line runs the installed script with the crontab's environment", async () => {
  const crontab = readFileSync(join(EXAMPLES_DIR, "shell", "crontab.example"), "utf8").split("\n");
  const install = crontab.map((l) => l.match(/^#\s+install -m 755 examples\/shell\/notify-cron\.sh (\S+)$/)).find(Boolean);
  assert.ok(install, "crontab.example says how to install the script");
  const env = {};
  for (const l of crontab) {
    const m = l.match(/^([A-Z_]+)=(.*)$/);
    if (m) env[m[1]] = m[2];
  }
  const jobs = crontab.map((l) => l.match(/^\s*(\S+\s+){5}(.*)$/)).filter((m) => m && !m[0].trimStart().startsWith("#"));
  assert.equal(jobs.length, 1, "one job line");
  const command = jobs[0][2];
  assert.ok(command.startsWith(install[1] + " "), `the job runs ${install[1]}: ${command}`);
  assert.ok(env.PATH && env.REDIS_URL, "the crontab sets PATH and REDIS_URL");
  const dir = mkdtempSync(join(tmpdir(), "sio-crontab-"));
  try {
    const log = join(dir, "notify-cron.log");
    const line = command.replace(install[1], `bash ${SCRIPT}`).replace(/>>\s*\S+/, `>>${log}`);
    const m = stack.mark();
    const r = await run("sh", ["-c", line], {
      timeoutMs: 20000,
      env: { ...env, HOME: dir, REDIS_URL: stack.redis.url, NOTIFY: notify, NOTIFY_CRON_RETRY_DELAY: "0" },
    });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stderr, "", "nothing for cron to mail");
    const lines = readFileSync(log, "utf8").split("\n").filter(Boolean);
    assert.equal(lines.length, 2, lines.join("\n"));
    for (const l of lines) assert.match(l, /info: user (42|7): daily digest sent \(attempt 1\)$/);
    await waitFor(() => m.received(u42).length >= 1 && m.received(u7).length >= 1, { message: "both digests" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
