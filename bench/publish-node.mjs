// The Node reference for bench/run's throughput items: N notifications through the real @socket.io/redis-emitter
// 5.1.0 on one node-redis 4 client, shaped as sio-bench-publish's:
//   io.to(`user:${i % rooms}`).emit("notification", {type: "ORDER_UPDATED", payload: {orderId: i}, timestamp})
// The room names are built before the clock starts, the object per message (as sio-bench-publish does). The
// emitter does not return publish()'s promise, so the end is a PING on the same connection: node-redis answers
// commands in order, so when the PING's reply arrives Redis has acknowledged every PUBLISH before it.
//
//   node bench/publish-node.mjs [--redis URL] [--count N (200000)] [--rooms R (1000)]
// Prints {"count","seconds","per_second","payload_bytes","channel"}.
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

const require = createRequire(new URL("../tests/interop/package.json", import.meta.url));
const { Emitter } = require("@socket.io/redis-emitter");
const { createClient } = require("redis");

const { values } = parseArgs({
  options: {
    redis: { type: "string", default: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" },
    count: { type: "string", default: "200000" },
    rooms: { type: "string", default: "1000" },
  },
});
const count = Number(values.count);
const roomCount = Number(values.rooms);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(roomCount) || roomCount < 1) {
  console.error("publish-node: --count and --rooms want whole numbers >= 1");
  process.exit(2);
}
const timestamp = 1764336000000; // fixed, as in sio-bench-publish

const client = createClient({ url: values.redis });
client.on("error", (e) => {
  console.error(`publish-node: ${e.message}`);
  process.exit(1);
});
await client.connect();

// The size of one published message (the last, widest one), from the encoder itself: a client that only
// records what would be published.
let sample;
const recorder = { publish: (channel, msg) => (sample = { channel, bytes: msg.length }) };
new Emitter(recorder).to(`user:${(count - 1) % roomCount}`).emit("notification", {
  type: "ORDER_UPDATED", payload: { orderId: count - 1 }, timestamp,
});

const rooms = Array.from({ length: roomCount }, (_, n) => `user:${n}`);
const io = new Emitter(client);
const start = process.hrtime.bigint();
for (let i = 0; i < count; i++) {
  io.to(rooms[i % roomCount]).emit("notification", { type: "ORDER_UPDATED", payload: { orderId: i }, timestamp });
}
await client.ping();
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
await client.quit();
console.log(JSON.stringify({ count, seconds, per_second: count / seconds, payload_bytes: sample.bytes,
  channel: sample.channel }));
