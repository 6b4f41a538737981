// GET <url>/healthz every <intervalMs> until SIGTERM, without waiting for the previous answer (at most 100 in flight),
// so that the samples stay <intervalMs> apart even when the gateway answers late (its I/O thread busy with a
// broadcast backlog). One line per answer on stdout: "<sent, epoch ms> <status> <answered, epoch ms>" (status 0: no
// answer within 2 s). A process of its own, so the polls keep their pace while the test process is busy receiving
// (redis-fault.test.mjs). Only the test starts and stops it, by PID.
import http from "node:http";

const [url, intervalArg = "10"] = process.argv.slice(2);
const intervalMs = Number(intervalArg);
const MAX_IN_FLIGHT = 100;
const agent = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
let inFlight = 0;

function poll() {
  if (inFlight >= MAX_IN_FLIGHT) return;
  inFlight++;
  const sent = Date.now();
  let done = false;
  const finish = (status) => {
    if (done) return;
    done = true;
    inFlight--;
    process.stdout.write(`${sent} ${status} ${Date.now()}\n`);
  };
  const req = http.get(`${url}/healthz`, { agent, timeout: 2000 }, (res) => {
    res.resume();
    res.on("end", () => finish(res.statusCode));
    res.on("error", () => finish(0));
  });
  req.on("timeout", () => req.destroy());
  req.on("error", () => finish(0));
}

const timer = setInterval(poll, intervalMs);
poll();
process.on("SIGTERM", () => {
  clearInterval(timer);
  agent.destroy();
  process.exit(0);
});
