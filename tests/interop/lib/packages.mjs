// The pinned npm packages of the interop tests (package-lock.json), loaded only after checking they are
// installed, so a missing node_modules fails with a clear message instead of a module-resolution error.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export const INTEROP_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(join(INTEROP_DIR, "package.json"));

const NEEDED = [
  "@socket.io/redis-emitter",
  "@socket.io/redis-adapter",
  "@socket.io/redis-streams-adapter",
  "socket.io",
  "socket.io-client",
  "notepack.io",
  "redis",
];

export function checkInstalled() {
  const missing = NEEDED.filter((p) => !existsSync(join(INTEROP_DIR, "node_modules", p, "package.json")));
  if (missing.length) {
    throw new Error(
      `tests/interop/node_modules is missing ${missing.join(", ")}: run scripts/setup ` +
        `(it runs \`npm ci\` in tests/interop from package-lock.json)`,
    );
  }
}

export function load(name) {
  checkInstalled();
  return require(name);
}
