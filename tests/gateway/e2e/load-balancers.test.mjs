// sio-gateway behind a real nginx and a real HAProxy (Debian's packages), each run with the configuration README
// documents (packaging/load-balancers/, only the ports replaced) in front of the same two gateways started with
// `--trust-proxy 127.0.0.1` and the per-address limits on. Clients come from several loopback addresses
// (127.0.0.x, bound with `localAddress`), so that the proxies' address hashing spreads them over both gateways:
// - socket.io-client with its default transports (polling, then the upgrade) and websocket-only clients all connect
//   through each proxy and receive the notifications `notify` sends them; both gateways serve some of them;
// - the handshake limits count the forwarded client addresses, not the proxy's: one address through the proxy runs
//   out of handshakes (429) while another still gets in;
// - a client cannot spoof its address through the proxy (its own X-Forwarded-For or Forwarded header) nor directly
//   to a gateway (an untrusted peer's forwarding headers are ignored).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Harness, waitFor, metrics, assertNotification } from "./harness.mjs";
import { freePort, stopChild } from "../../interop/lib/redis-server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const CONFIGS = join(ROOT, "packaging", "load-balancers");
const BURST = 6;  // --handshake-burst: handshakes one client address may start (the rate refills one per 100 s)
const h = new Harness();
const gateways = [];
const proxies = {};  // name -> { port, child, output }
let work;

// The proxy binaries, from Debian's nginx and haproxy packages (scripts/setup installs them).
function binary(name) {
  for (const dir of ["/usr/sbin", "/usr/local/sbin", "/usr/bin"]) {
    const path = join(dir, name);
    if (spawnSync(path, ["-v"]).status === 0) return path;
  }
  throw new Error(`${name} is not installed: scripts/setup installs Debian's nginx and haproxy packages`);
}

// README's configuration file with its example ports (gateways on 3001 and 3002, the proxy on 80) replaced; each
// must occur exactly once, so that a change to the file cannot leave this test running another configuration.
function configured(file, replacements) {
  let text = readFileSync(join(CONFIGS, file), "utf8");
  for (const [from, to] of replacements) {
    const count = text.split(from).length - 1;
    assert.equal(count, 1, `${file}: "${from}" occurs ${count} times, expected once`);
    text = text.replace(from, to);
  }
  return text;
}

function startProxy(name, command, args, port) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const p = { name, port, child, output: "" };
  child.stdout.on("data", (d) => (p.output += d));
  child.stderr.on("data", (d) => (p.output += d));
  child.on("exit", (code, signal) => (p.exit = { code, signal }));
  proxies[name] = p;
  return p;
}

// Resolves once `port` answers HTTP (the proxy is up), or fails with the proxy's output.
async function waitListening(p) {
  await waitFor(async () => {
    if (p.exit) throw new Error(`${p.name} exited ${p.exit.code ?? p.exit.signal}:\n${p.output}`);
    return (await get(p.port, "127.0.0.1", "/socket.io/?EIO=4&transport=polling").catch(() => undefined)) !== undefined;
  }, { timeoutMs: 10000, message: `${p.name} to listen on ${p.port}` });
}

// One HTTP GET to 127.0.0.1:port from `localAddress` with `headers`: { status, body }.
function get(port, localAddress, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, localAddress, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`GET ${path} from ${localAddress}: no answer`)));
    req.on("error", reject);
    req.end();
  });
}

const handshake = (port, from, headers) => get(port, from, "/socket.io/?EIO=4&transport=polling", headers);

before(async () => {
  const nginx = binary("nginx");
  const haproxy = binary("haproxy");
  await h.start();
  const args = ["--trust-proxy", "127.0.0.1", "--handshake-rate", "0.01", "--handshake-burst", String(BURST),
    "--max-pending-per-address", "100"];
  gateways.push(await h.startGateway({ args }), await h.startGateway({ args }));
  const [a, b] = gateways.map((g) => `127.0.0.1:${g.port}`);
  work = mkdtempSync(join(tmpdir(), "sio-lb-"));

  // nginx: README's file included in the http block of a minimal main configuration, in the foreground.
  const nginxPort = await freePort();
  writeFileSync(join(work, "sio-gateway.conf"), configured("nginx.conf",
    [["127.0.0.1:3001", a], ["127.0.0.1:3002", b], ["listen 80;", `listen 127.0.0.1:${nginxPort};`]]));
  writeFileSync(join(work, "nginx.conf"), [
    process.getuid?.() === 0 ? "user root;" : "",
    "daemon off;", "worker_processes 1;", `pid ${join(work, "nginx.pid")};`, "error_log stderr warn;",
    "events { worker_connections 1024; }",
    "http {",
    "  access_log off;",
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${join(work, t)};`),
    `  include ${join(work, "sio-gateway.conf")};`,
    "}", ""].join("\n"));
  await waitListening(startProxy("nginx", nginx, ["-p", work, "-c", join(work, "nginx.conf")], nginxPort));

  // HAProxy: README's sections as the whole configuration, in the foreground (-db).
  const haproxyPort = await freePort();
  writeFileSync(join(work, "haproxy.cfg"), configured("haproxy.cfg",
    [["127.0.0.1:3001", a], ["127.0.0.1:3002", b], ["bind :80", `bind 127.0.0.1:${haproxyPort}`]]));
  await waitListening(startProxy("haproxy", haproxy, ["-db", "-f", join(work, "haproxy.cfg")], haproxyPort));
});

after(async () => {
  await Promise.allSettled(Object.values(proxies).map((p) => stopChild(p.child)));
  await h.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

for (const name of ["nginx", "haproxy"]) {
  test(`${name}: polling-then-upgrade and websocket-only clients from 12 addresses get their notifications, over both gateways`, { timeout: 60000 }, async () => {
    const p = proxies[name];
    const before = await Promise.all(gateways.map((g) => metrics(g)));
    const clients = [];
    for (let i = 0; i < 12; i++) {
      const localAddress = `127.0.${name === "nginx" ? 10 : 20}.${i + 1}`;
      for (const transports of [undefined, ["websocket"]]) {
        const userId = `${name}-${i}-${transports ? "ws" : "default"}`;
        const agent = new Agent({ localAddress, keepAlive: true });
        clients.push(await h.connect(p.port, {
          userId, transports, upgraded: true, label: `user ${userId} from ${localAddress} through ${name}`,
          options: { agent, localAddress },
        }));
      }
    }
    // Default transports: each began with polling through the proxy, then upgraded.
    for (const c of clients) {
      const expected = c.label.includes("-ws ") ? ["websocket"] : ["polling", "websocket"];
      assert.deepEqual(c.transports, expected, `${c.label}: transports`);
    }
    const after = await Promise.all(gateways.map((g) => metrics(g)));
    const handshakes = after.map((m, i) => m.sio_gateway_handshakes_total - before[i].sio_gateway_handshakes_total);
    assert.equal(handshakes[0] + handshakes[1], clients.length, `handshakes per gateway ${handshakes}`);
    assert.ok(handshakes.every((n) => n > 0), `both gateways serve clients through ${name}: handshakes ${handshakes}`);
    for (const c of clients) {
      const userId = c.label.split(" ")[1];
      await h.notify(["--user", userId, "--type", `LB_${name.toUpperCase()}`]);
    }
    await waitFor(() => clients.every((c) => c.received.length >= 1), { timeoutMs: 5000, message: `every client through ${name} to get its notification` });
    for (const c of clients) {
      assert.equal(c.received.length, 1, `${c.label}: exactly its own notification`);
      assertNotification(c.received[0], `LB_${name.toUpperCase()}`, c.label);
    }
    for (const c of clients) c.socket.disconnect();
  });

  test(`${name}: the handshake limit counts forwarded addresses, and a client's own forwarding headers change nothing`, { timeout: 30000 }, async () => {
    const p = proxies[name];
    const limited = `127.0.${name === "nginx" ? 30 : 40}.1`;
    const other = `127.0.${name === "nginx" ? 30 : 40}.2`;
    for (let i = 0; i < BURST; i++) {
      const r = await handshake(p.port, limited);
      assert.equal(r.status, 200, `handshake ${i + 1} of ${BURST} from ${limited} through ${name}: ${r.status} ${r.body}`);
    }
    assert.equal((await handshake(p.port, limited)).status, 429, `past the burst, ${limited} is refused`);
    // Claiming another address, in either header, through the proxy: still counted as `limited`.
    for (const headers of [{ "X-Forwarded-For": other }, { Forwarded: `for=${other}` }, { "X-Forwarded-For": other, Forwarded: `for="${other}"` }]) {
      const r = await handshake(p.port, limited, headers);
      assert.equal(r.status, 429, `${JSON.stringify(headers)} from ${limited} through ${name}: ${r.status}`);
    }
    // The proxy's own address is not what is counted: another client still gets in.
    assert.equal((await handshake(p.port, other)).status, 200, `${other} through ${name} is not limited`);
  });
}

test("directly to a gateway, an untrusted client's X-Forwarded-For and Forwarded are ignored", { timeout: 30000 }, async () => {
  const g = gateways[0];
  const spender = "127.0.50.1";
  const victim = "127.0.50.2";
  // Claiming to be `victim` from `spender`: counted against `spender` only.
  for (let i = 0; i < BURST; i++) {
    const r = await handshake(g.port, spender, { "X-Forwarded-For": victim, Forwarded: `for=${victim}` });
    assert.equal(r.status, 200, `handshake ${i + 1} from ${spender}: ${r.status}`);
  }
  assert.equal((await handshake(g.port, spender)).status, 429, `${spender} spent its burst`);
  assert.equal((await handshake(g.port, victim)).status, 200, `${victim} was not charged for ${spender}'s claims`);
});
