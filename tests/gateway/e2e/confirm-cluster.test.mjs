// notify's requests on a REAL Redis Cluster (3 masters, cluster-fleet.mjs) against 2 REAL Node servers on node-redis
// cluster clients, in every adapter mode: --confirm counts the user's sockets on both servers, --acks collects each
// client's acknowledgement (the user has 3 sockets, 2 on one server), sockets lists them, server-emit --acks gets both servers' answers, --fallback runs once
// for an offline user only; servers are counted over every node (classic: NUMSUB of the request channel, which the
// servers subscribe on whichever node their client picked; sharded: SHARDNUMSUB on the owner of <key>#<nsp>#;
// streams: NUMSUB of <key>#<nsp>#), and the Node servers' own serverCount(), fetchSockets() and
// serverSideEmitWithAck() stay exact and fast while notify asks (notify is never counted as a server).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Harness } from "./harness.mjs";
import { FLEETS, startClusterFleets } from "./cluster-fleet.mjs";

const FAST_MS = 2000;
const TIMEOUT = ["--timeout", "3s"];
const h = new Harness();
let cluster, users, startFleet, stopFleet;

before(async () => {
  ({ cluster, users, startFleet, stopFleet } = await startClusterFleets(h));
});

// The channel the servers of `env`'s adapter subscribe, and how it is counted on one node.
const serversChannel = (env) =>
  env.SIO_ADAPTER === "classic" ? { channel: "socket.io-request#/#", numsub: "NUMSUB" }
  : env.SIO_ADAPTER === "streams" ? { channel: "socket.io#/#", numsub: "NUMSUB" }
  : { channel: "socket.io#/#", numsub: "SHARDNUMSUB" };

after(() => h.close());

const lines = (text) => text.split("\n").filter((l) => l !== "");

for (const { name, mode, env } of FLEETS) {
  test(`cluster, ${name}: --confirm, --acks, sockets, server-emit --acks and --fallback count and reach both servers`, async (t) => {
    const f = await startFleet(`confirm-${name.replace(/ /g, "-")}`, { ...env, SIO_SERVER_ACK: "echo" },
      { ackWith: (args, event) => ({ got: args[0]?.type ?? event }) });
    // Every run is printed as a transcript (the command as a user would type it, its stdout and exit code).
    const notify = async (args, options) => {
      const r = await h.notify([...mode, ...args], options);
      console.log(`[cluster ${name}] $ notify ${[...mode, ...args].map((a) => (/^[\w.:/#=,-]+$/.test(a) ? a : `'${a}'`)).join(" ")}` +
        `\n${r.stdout.trimEnd().split("\n").filter(Boolean).map((l) => `[cluster ${name}]   ${l}`).join("\n")}` +
        `${r.stdout.trim() ? "\n" : ""}[cluster ${name}]   (exit ${r.code}, ${r.ms} ms)`);
      return r;
    };
    const dir = mkdtempSync(join(tmpdir(), "sio-cluster-fallback-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    try {
      // users[0] has 2 sockets on A and 1 on B, users[1] one on A.
      const third = await h.connect(f.a.port, { userId: users[0].id, label: `${name}: user ${users[0].id} #2 on A`, ackWith: (args, event) => ({ got: args[0]?.type ?? event }) });
      f.sockets.get(users[0].id).push(third);
      f.all.push(third);
      const both = f.sockets.get(users[0].id);
      const r = await notify(["--user", users[0].id, "--type", "BOTH", "--confirm", ...TIMEOUT]);
      assert.equal(r.stdout, "delivered to 3 sockets (2 of 2 servers answered)\n", `${r.shown}\nstderr: ${r.stderr}`);
      const one = await notify(["--user", users[1].id, "--type", "ONE", "--confirm", "--json", ...TIMEOUT]);
      const j = JSON.parse(one.stdout);
      assert.deepEqual({ servers: j.servers, answered: j.answered, timed_out: j.timed_out, clients: j.clients },
        { servers: 2, answered: 2, timed_out: false, clients: 1 }, one.stdout);
      await notify(["--user", "999", "--type", "NOBODY", "--confirm", ...TIMEOUT], { expectCode: 9 });

      const acks = await notify(["--user", users[0].id, "--type", "ACKED", "--confirm", "--acks", ...TIMEOUT]);
      const out = lines(acks.stdout);
      assert.deepEqual(out.slice(0, 2), ["delivered to 3 sockets (2 of 2 servers answered)", "acknowledged by 3 of 3"], acks.stdout);
      assert.deepEqual(out.slice(2), ['{"got":"ACKED"}', '{"got":"ACKED"}', '{"got":"ACKED"}'], acks.stdout);

      const ids = await notify(["sockets", "--user", users[0].id, "--ids", ...TIMEOUT]);
      assert.deepEqual(lines(ids.stdout).sort(), both.map((c) => c.socket.id).sort(), ids.stdout);
      await notify(["sockets", "--user", "999", ...TIMEOUT], { expectCode: 9 });

      const sse = await notify(["server-emit", "hello", "--arg", '{"x":1}', "--acks", ...TIMEOUT]);
      const answers = lines(sse.stdout);
      assert.equal(answers[0], "answered by 2 of 2 servers", sse.stdout);
      assert.deepEqual(answers.slice(1).map((l) => JSON.parse(l).server).sort(), [f.a.name, f.b.name].sort(), sse.stdout);

      const record = join(dir, "fallback.txt");
      const fallback = `cat >> '${record}'; echo "--end--" >> '${record}'`;
      await notify(["--user", "999", "--type", "OFFLINE", "--confirm", "--fallback", fallback, ...TIMEOUT]);
      assert.equal(readFileSync(record, "utf8").split("\n").filter((l) => l === "--end--").length, 1, "ran once for the offline user");
      await notify(["--user", users[0].id, "--type", "ONLINE", "--confirm", "--fallback", `touch '${record}.online'`, ...TIMEOUT]);
      assert.equal(existsSync(`${record}.online`), false, "never for an online user");

      // A third subscriber that never answers, on the node where the servers have the fewest subscriptions (a pub/sub
      // channel of the classic and streams adapters may be subscribed through any node; a shard channel only on
      // its owner): notify counts it, waits for it until the timeout and reports 2 of 3.
      const { channel, numsub } = serversChannel(env);
      const perNode = await Promise.all(cluster.nodes.map(async (n) => Number((await n.client.sendCommand(["PUBSUB", numsub, channel]))[1])));
      const node = env.SIO_ADAPTER === "sharded" ? await cluster.ownerOf(channel) : cluster.nodes[perNode.indexOf(Math.min(...perNode))];
      console.log(`[cluster ${name}] ${numsub} ${channel} per node ${cluster.nodes.map((n, i) => `${n.port}:${perNode[i]}`).join(" ")}; the silent subscriber on ${node.port}`);
      const silent = node.client.duplicate();
      silent.on("error", () => {});
      await silent.connect();
      try {
        if (env.SIO_ADAPTER === "sharded") await silent.sSubscribe(channel, () => {});
        else await silent.subscribe(channel, () => {});
        const partial = await notify(["--user", users[0].id, "--type", "PARTIAL", "--confirm", "--timeout", "1s"]);
        assert.equal(partial.stdout, "delivered to 3 sockets (2 of 3 servers answered)\n", `${partial.shown}\nstderr: ${partial.stderr}`);
        assert.ok(partial.ms >= 900 && partial.ms < 3000, `${partial.shown}: took ${partial.ms} ms`);
      } finally {
        await silent.disconnect().catch(() => {});
      }

      // The servers' own requests while notify asks too: exact (notify is not a server) and fast.
      const asking = Promise.all(Array.from({ length: 5 }, (_, i) =>
        h.notify([...mode, "--user", users[0].id, "--type", `LOAD_${i}`, "--confirm", ...TIMEOUT])));
      for (const s of [f.a, f.b]) {
        const count = await s.control({ cmd: "serverCount" });
        assert.equal(count.count, 2, `${s.name}'s serverCount: ${JSON.stringify(count)}`);
        const fetched = await s.control({ cmd: "fetchSockets" });
        assert.equal(fetched.error, undefined, `${s.name}'s fetchSockets: ${fetched.error}`);
        assert.deepEqual(fetched.sockets.map((x) => x.id).sort(), f.all.map((c) => c.socket.id).sort(), `${s.name}'s fetchSockets`);
        const acked = await s.control({ cmd: "serverSideEmitWithAck", event: "hello", args: [1] });
        assert.equal(acked.error, undefined, `${s.name}'s serverSideEmitWithAck: ${acked.error}`);
        assert.equal(acked.responses.length, 1, `${s.name}'s serverSideEmitWithAck: ${JSON.stringify(acked.responses)}`);
        for (const c of [count, fetched, acked]) assert.ok(c.ms < FAST_MS, `${s.name}: ${JSON.stringify(c).slice(0, 200)}`);
      }
      for (const load of await asking) assert.equal(load.stdout, "delivered to 3 sockets (2 of 2 servers answered)\n", load.shown);
      console.log(`[cluster ${name}] requests: confirm 3/1/0 sockets, 3 acks, sockets, 2 server answers, fallback once, 2 of 3 with a silent subscriber`);
    } finally {
      await stopFleet(f);
    }
  });
}
