// The Node reference for bench/oneshot: one process, one notification through the real
// @socket.io/redis-emitter, as a cron job written in Node would do it.
import { createRequire } from "node:module";

const require = createRequire(new URL("../tests/interop/package.json", import.meta.url));
const { Emitter } = require("@socket.io/redis-emitter");
const { createClient } = require("redis");

const client = createClient({ url: process.env.REDIS_URL });
await client.connect();
const io = new Emitter(client);
io.to("user:42").emit("notification", { type: "ORDER_UPDATED", timestamp: Date.now() });
await client.quit(); // flushes the PUBLISH before exiting
