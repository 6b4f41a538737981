// A real redis-server child on a free loopback port, for one test file. Stopped by its own PID.
import { spawn } from "node:child_process";
import { createServer, connect } from "node:net";
import { existsSync } from "node:fs";

const REDIS_SERVER = process.env.SIO_REDIS_SERVER ?? "redis-server";

// A port the kernel considers free right now: listen on 0, read it, close.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// One PING over a raw socket; resolves true on "+PONG", false on anything else (bounded by timeoutMs).
export function redisPing(port, timeoutMs) {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    let buf = "";
    const done = (ok) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.on("error", () => done(false));
    sock.on("connect", () => sock.write("*1\r\n$4\r\nPING\r\n"));
    sock.on("data", (d) => {
      buf += d.toString("latin1");
      if (buf.includes("\r\n")) done(buf.startsWith("+PONG"));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts redis-server; resolves { port, url, pid, child, stop() } once it answers PING (at most startTimeoutMs).
// With `port` (to restart a server where its clients expect it) every attempt uses that port, for as long as the
// kernel still holds it; otherwise each of 3 attempts takes a free one. `configFile` goes first (a sentinel needs
// one it can rewrite), `args` last (e.g. ["--replicaof", host, port], ["--sentinel"]).
export async function startRedis({ startTimeoutMs = 10000, port: fixedPort, configFile, args = [] } = {}) {
  let lastError;
  const giveUpAt = Date.now() + startTimeoutMs;
  for (let attempt = 0; fixedPort ? Date.now() < giveUpAt : attempt < 3; attempt++) {
    const port = fixedPort ?? (await freePort());
    const child = spawn(
      REDIS_SERVER,
      [...(configFile ? [configFile] : []), "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--loglevel", "warning", ...args],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    let exited = false;
    let spawnError;
    child.on("error", (e) => (spawnError = e));
    child.on("exit", () => (exited = true));

    const deadline = Date.now() + startTimeoutMs;
    while (!exited && !spawnError && Date.now() < deadline) {
      if (await redisPing(port, 500)) {
        return makeHandle(child, port);
      }
      await sleep(50);
    }
    if (spawnError) {
      throw new Error(`cannot start ${REDIS_SERVER}: ${spawnError.message}` +
        (existsSync("/usr/bin/redis-server") ? "" : " (install redis-server: run scripts/setup)"));
    }
    if (!exited) {
      await stopChild(child);
      throw new Error(`redis-server on port ${port} did not answer PING within ${startTimeoutMs} ms\n${output}`);
    }
    // Exited: most likely the port was taken in between; try another one (or the same one again, shortly).
    lastError = new Error(`redis-server on port ${port} exited early (code ${child.exitCode})\n${output}`);
    if (fixedPort) await sleep(50);
  }
  throw lastError;
}

// SIGTERM, then SIGKILL if it is still running after graceMs. Only this child, by its PID.
export function stopChild(child, graceMs = 3000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

function makeHandle(child, port) {
  return {
    port,
    pid: child.pid,
    url: `redis://127.0.0.1:${port}`,
    child,
    stop: () => stopChild(child),
  };
}
