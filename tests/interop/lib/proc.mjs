// Child processes for the tests: bounded runs, and stopping only the children we started, by PID.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";

// Runs a program to completion; kills it (SIGKILL, by PID) if it takes longer than timeoutMs.
export function run(cmd, args, { timeoutMs = 30000, env, cwd, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env ?? process.env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out = [];
    const err = [];
    let timedOut = false;
    child.stdout.on("data", (d) => out.push(d));
    child.stderr.on("data", (d) => err.push(d));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

// The path of a binary given by an environment variable (set by CTest); a clear error when it is not usable.
export function binaryFromEnv(name, what) {
  const path = process.env[name];
  if (!path) {
    throw new Error(
      `${name} is not set: it must name the ${what} binary (CTest sets it: ` +
        `ctest -R interop, or ${name}=build/<dir>/... node --test ...)`,
    );
  }
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new Error(`${name}=${path}: no such file (build it first: cmake --build <build dir> --target ${what})`);
  }
  return path;
}

// Resolves when predicate() is true, polling every intervalMs; rejects with `message` after timeoutMs.
export async function waitFor(predicate, { timeoutMs = 5000, intervalMs = 10, message = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;  // a predicate may be async: its Promise must be awaited, not taken as truthy
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
