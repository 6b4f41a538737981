// A raw MONITOR connection to redis-server: every command any client runs, in execution order, with its
// arguments as exact bytes. The adapter conformance tests use it to see what a publisher sent (verb, channel or
// stream, payload) without subscribing to anything, so a message on an unexpected channel is seen too.
import { connect } from "node:net";

// MONITOR writes each argument in double quotes, escaped by sdscatrepr(): \\ \" \n \r \t \a \b, printable ASCII
// as is, every other byte as \xHH. That is lossless, so the exact bytes can be rebuilt.
const SIMPLE_ESCAPES = { 0x5c: 0x5c, 0x22: 0x22, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x61: 0x07, 0x62: 0x08 };

// `+1700000000.123456 [0 127.0.0.1:5555] "SPUBLISH" "ch" "\x84..."` -> [Buffer, Buffer, Buffer]
export function parseMonitorLine(line) {
  const start = line.indexOf("] ");
  if (line[0] !== "+" || start < 0) return undefined;
  const args = [];
  let i = start + 2;
  while (i < line.length) {
    if (line[i] !== '"') throw new Error(`MONITOR line: expected '"' at ${i}: ${line.slice(0, 200)}`);
    i++;
    const bytes = [];
    for (;;) {
      if (i >= line.length) throw new Error(`MONITOR line: unterminated argument: ${line.slice(0, 200)}`);
      const c = line.charCodeAt(i);
      if (c === 0x22) {
        i++;
        break;
      }
      if (c !== 0x5c) {
        bytes.push(c);
        i++;
        continue;
      }
      const e = line.charCodeAt(i + 1);
      if (e === 0x78) {
        bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (e in SIMPLE_ESCAPES) {
        bytes.push(SIMPLE_ESCAPES[e]);
        i += 2;
      } else {
        throw new Error(`MONITOR line: unknown escape \\${line[i + 1]}: ${line.slice(0, 200)}`);
      }
    }
    args.push(Buffer.from(bytes));
    if (line[i] === " ") i++;
  }
  return args;
}

// Starts MONITOR on 127.0.0.1:port. `commands` fills with { args: Buffer[] } as they run; stop() closes it.
export function startMonitor(port, { timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: "127.0.0.1", port });
    const m = { commands: [], errors: [] };
    let pending = "";
    let ready = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`MONITOR on port ${port}: no +OK within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setNoDelay(true);
    sock.on("error", (e) => (ready ? m.errors.push(e) : reject(e)));
    sock.on("connect", () => sock.write("*1\r\n$7\r\nMONITOR\r\n"));
    // Escaped lines are pure ASCII, so latin1 keeps one char per byte and \r\n only ends lines.
    sock.on("data", (d) => {
      pending += d.toString("latin1");
      let end;
      while ((end = pending.indexOf("\r\n")) >= 0) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (!ready) {
          if (line !== "+OK") return reject(new Error(`MONITOR answered ${line}`));
          ready = true;
          clearTimeout(timer);
          m.stop = () => new Promise((r) => sock.end(r));
          resolve(m);
          continue;
        }
        try {
          const args = parseMonitorLine(line);
          if (args) m.commands.push({ args });
        } catch (e) {
          m.errors.push(e);
        }
      }
    });
  });
}
