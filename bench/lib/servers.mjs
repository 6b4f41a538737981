// The servers bench/gateway-connections and bench/gateway-fanout measure, started the same way for both: sio-gateway
// with its default flags (only --auth trusted: the clients give auth.userId, no token) and the real Node Socket.IO
// server of tests/interop/server.mjs on @socket.io/redis-adapter.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { INTEROP_DIR } from "../../tests/interop/lib/packages.mjs";

const jsonLine = (line) => {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
};

// Spawns a server; resolves { child, port, tail(), exit } once `portOf(line)` finds its port in a line of `stream`
// (stdout or stderr); keeps the last lines of its output, and its exit status if it dies. Rejects with an Error
// naming the command when it cannot run, exits, or does not start within 15 s (then it is killed, by its PID).
// `onChild` sees the child first (to track it).
export function startServer(cmd, args, { stream, portOf, env = {}, onChild = () => {} }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    onChild(child);
    const server = { child, port: undefined, exit: undefined, lines: [] };
    server.tail = () => server.lines.join("\n");
    const keep = (line) => {
      server.lines.push(line);
      if (server.lines.length > 15) server.lines.shift();
    };
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, "SIGKILL"); // only the child we started, by PID
      } catch {
        /* gone */
      }
      reject(new Error(`${cmd} did not start within 15 s:\n${server.tail()}`));
    }, 15000);
    const onLine = (line) => {
      keep(line);
      const port = server.port === undefined ? portOf(line) : undefined;
      if (port) {
        server.port = port;
        clearTimeout(timer);
        resolve(server);
      }
    };
    createInterface({ input: child.stdout }).on("line", stream === "stdout" ? onLine : keep);
    createInterface({ input: child.stderr }).on("line", stream === "stderr" ? onLine : keep);
    child.on("error", (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`)));
    child.on("exit", (code, signal) => {
      server.exit = { code, signal };
      clearTimeout(timer);
      reject(new Error(`${cmd} exited ${code ?? signal}:\n${server.tail()}`));
    });
  });
}

// sio-gateway on `port` (0: any), its default flags.
export const startGateway = (gateway, redisUrl, port = 0, options = {}) =>
  startServer(gateway, ["--redis", redisUrl, "--port", String(port), "--auth", "trusted"],
    { stream: "stderr", portOf: (line) => (jsonLine(line)?.msg === "listening" ? jsonLine(line).port : undefined), ...options });

// tests/interop/server.mjs on `port` (0: any).
export const startNode = (redisUrl, port = 0, options = {}) =>
  startServer(process.execPath, [join(INTEROP_DIR, "server.mjs"), redisUrl, "bench"],
    { stream: "stdout", portOf: (line) => (jsonLine(line)?.ready ? jsonLine(line).port : undefined), env: { SIO_PORT: String(port) }, ...options });
