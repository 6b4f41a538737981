#!/usr/bin/env python3
"""notify --stdin against a real redis-server and a real subscriber.

Usage: stdin_pipeline.py NOTIFY_BINARY

1. 10,000 lines (1,000 distinct operations of every kind and shape, each 10 times, shuffled) with bad, blank and
   comment lines among them are piped into one `notify --stdin --json`. Every operation must arrive exactly once,
   in line order, on the channel and with the bytes the one-shot `notify` publishes for the same fields (its
   --dry-run --json output); each bad line must be reported with its number; the summary must add up.
2. Flags as defaults: `notify --stdin --nsp /admin --type ... --timestamp ...` with lines giving only user and
   payload publishes what the one-shot publishes with all the flags.
3. A line longer than 16 MiB is reported and skipped; the lines around it are published.
4. 20,000 lines mixing good lines, bad lines and publishes Redis refuses (an ACL user): every failure is reported
   once and in line order, whichever thread found it, consecutive alike failures as one "lines A-B" report.
Prints what failed and exits non-zero on any failure.
"""

import concurrent.futures
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import RedisServer, Resp, notify_from_argv, run_checks  # noqa: E402

DISTINCT = 1000
REPEAT = 10
BAD_LINES = 25
RUN_TIMEOUT_S = 120
MESSAGE_TIMEOUT_S = 30

STRINGS = ["a", "vip", "lobby", "user-\u00fc", "\u65e5\u672c", 'quo"te', "back\\slash", "\U0001f389", "with space",
           "x" * 40]
PAYLOADS = ['{"orderId":7}', '{"b":1,"a":2,"1":3,"0":4}', '[1,2.5,-0,1e400,12345678901234567890,0.1]',
            '"str\\u00e9"', 'null', 'true', 'false', '{"nested":{"deep":[{"x":null}],"n":-1.5e-7}}',
            '{ "spaced" : [ 1 , 2 ] }', '{"emoji":"\U0001f389","esc":"\\n\\t\\"\\\\"}', '{"dup":1,"dup":2}',
            '42', '""', '[]', '{}']
ARGS = ['[1,"two",{"three":3}]', '[]', '[null]', '[ {"a":[1,{"b":"}"}]} , "]" ]', '[1.0,-0.0,1e21]']
EVENTS = ["chat", "tick", "\u00fcn\u00efcode", "with space", "notification"]


def encode_string(rng, s):
    """A JSON string literal, sometimes ASCII-escaped, sometimes with a gratuitous escape (the full parser's way)."""
    choice = rng.random()
    if choice < 0.2:
        return json.dumps(s, ensure_ascii=True)
    if choice < 0.3 and s:
        return '"\\u%04x' % ord(s[0]) + json.dumps(s[1:], ensure_ascii=False)[1:] if ord(s[0]) < 0x10000 \
            else json.dumps(s, ensure_ascii=True)
    return json.dumps(s, ensure_ascii=False)


def string_or_list(rng, values):
    if len(values) == 1 and rng.random() < 0.5:
        return ("one", values[0])
    return ("list", values)


def make_operation(rng, i):
    """One operation: (fields as (name, kind, value) in line order, one-shot argv)."""
    fields = []
    argv = []
    op = rng.choices(["emit", "join", "leave", "disconnect", "server-emit"], [80, 5, 5, 5, 5])[0]
    if op != "emit" or rng.random() < 0.1:
        fields.append(("op", "str", op))
    if rng.random() < 0.3:
        nsp = rng.choice(["/admin", "admin", "/", "/\u00fc"])
        fields.append(("nsp", "str", nsp))
        argv += ["--nsp", nsp]
    if op != "server-emit":
        if rng.random() < 0.7:
            user = rng.choice([str(i), i, "00%d" % i, rng.choice(STRINGS)])
            fields.append(("user", "raw" if isinstance(user, int) else "str",
                           str(user) if isinstance(user, int) else user))
            argv += ["--user", str(user)]
            if rng.random() < 0.2:
                prefix = rng.choice(["customer:", "u-", "\u00fc:"])
                fields.append(("room-prefix", "str", prefix))
                argv += ["--room-prefix", prefix]
        if rng.random() < 0.4:
            rooms = rng.sample(STRINGS, rng.randint(1, 3))
            fields.append(("room", "strs", rooms))
            for r in rooms:
                argv += ["--room", r]
        if not any(name in ("user", "room") for name, _, _ in fields):
            # No target: every socket, which notify does only on purpose.
            fields.append(("all", "raw", "true"))
            argv += ["--all"]
        if rng.random() < 0.2:
            excepts = rng.sample(STRINGS, rng.randint(1, 2))
            fields.append(("except", "strs", excepts))
            for r in excepts:
                argv += ["--except", r]
    if op == "emit":
        if rng.random() < 0.6:
            t = rng.choice(["ORDER_UPDATED", "PING", "\u00fcber", 'q"uote'])
            fields.append(("type", "str", t))
            argv += ["--type", t]
            if rng.random() < 0.7:
                payload = rng.choice(PAYLOADS)
                fields.append(("payload", "raw", payload))
                argv += ["--payload", payload]
            ts = rng.randint(0, 2 ** 41)
            fields.append(("timestamp", "raw", str(ts)))
            argv += ["--timestamp", str(ts)]
            if rng.random() < 0.2:
                event = rng.choice(EVENTS)
                fields.append(("event", "str", event))
                argv += ["--event", event]
        else:
            event = rng.choice(EVENTS)
            fields.append(("event", "str", event))
            argv += ["--event", event]
            if rng.random() < 0.5:
                args = rng.choice(ARGS)
                fields.append(("args", "raw", args))
                argv += ["--args", args]
            elif rng.random() < 0.6:
                arg = rng.choice(PAYLOADS)
                fields.append(("arg", "raw", arg))
                argv += ["--arg", arg]
        if rng.random() < 0.2:
            fields.append(("volatile", "raw", "true"))
            argv += ["--volatile"]
        elif rng.random() < 0.1:
            fields.append(("volatile", "raw", "false"))
        if rng.random() < 0.2:
            fields.append(("compress", "raw", "false"))
            argv += ["--no-compress"]
        elif rng.random() < 0.1:
            fields.append(("compress", "raw", "true"))
    elif op in ("join", "leave"):
        rooms = rng.sample(STRINGS, rng.randint(1, 3))
        fields.append(("rooms", "strs", rooms))
        argv += [op] + rooms
    elif op == "disconnect":
        argv += ["disconnect"]
        if rng.random() < 0.5:
            close = rng.random() < 0.5
            fields.append(("close", "raw", "true" if close else "false"))
            if close:
                argv += ["--close"]
    else:
        event = rng.choice(EVENTS[:-1])
        fields.append(("event", "str", event))
        argv += ["server-emit", event]
        if rng.random() < 0.5:
            args = rng.choice(ARGS)
            fields.append(("args", "raw", args))
            argv += ["--args", args]
        elif rng.random() < 0.5:
            arg = rng.choice(PAYLOADS)
            fields.append(("arg", "raw", arg))
            argv += ["--arg", arg]
    rng.shuffle(fields)
    return fields, argv


def line_of(rng, fields):
    parts = []
    for name, kind, value in fields:
        if kind == "str":
            text = encode_string(rng, value)
        elif kind == "strs":
            one, v = string_or_list(rng, value)
            text = encode_string(rng, v) if one == "one" else "[" + ",".join(encode_string(rng, s) for s in v) + "]"
        else:
            text = value
        key = json.dumps(name)
        sep = rng.choice([":", ":", ": ", " : "])
        parts.append(key + sep + text)
    joiner = rng.choice([",", ",", ", "])
    return ("{" + joiner.join(parts) + "}").encode()


def one_shot(notify, argv):
    result = subprocess.run([notify, "--dry-run", "--json"] + argv, capture_output=True, timeout=30,
                            env=dict(os.environ, REDIS_URL="redis://127.0.0.1:1"))
    if result.returncode != 0:
        raise RuntimeError("one-shot %r failed (%d): %s" % (argv, result.returncode, result.stderr.decode()))
    out = json.loads(result.stdout)
    return out["channel"].encode(), bytes.fromhex(out["payload_hex"])


class Subscriber(threading.Thread):
    """PSUBSCRIBEs and collects (channel, payload) pairs on its own thread, so Redis never waits on it."""

    def __init__(self, port, pattern):
        super().__init__(daemon=True)
        self.conn = Resp(port, MESSAGE_TIMEOUT_S)
        self.conn.send("PSUBSCRIBE", pattern)
        self.conn.read()
        self.messages = []
        self.lock = threading.Lock()
        self.stopping = False
        self.start()

    def run(self):
        self.conn.sock.settimeout(0.2)
        while not self.stopping:
            try:
                reply = self.conn.read()
            except (socket.timeout, TimeoutError):
                continue
            except (OSError, ConnectionError):
                return
            if isinstance(reply, list) and reply and reply[0] == b"pmessage":
                with self.lock:
                    self.messages.append((reply[2], reply[3]))

    def wait_for(self, count, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.05)
        time.sleep(0.3)  # stragglers: more than expected is a failure too
        with self.lock:
            return list(self.messages)

    def close(self):
        self.stopping = True
        self.join(timeout=2)
        self.conn.close()


def run_notify(notify, args, data, redis_url):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SIO_KEY")}
    env["REDIS_URL"] = redis_url
    return subprocess.run([notify] + args, input=data, capture_output=True, env=env, timeout=RUN_TIMEOUT_S)


def compare(failures, label, expected, received):
    if received == expected:
        return
    failures.append("%s: %d messages expected, %d received" % (label, len(expected), len(received)))
    for n, (e, r) in enumerate(zip(expected, received)):
        if e != r:
            failures.append("  first difference at message %d:\n    expected %r %s\n    received %r %s"
                            % (n, e[0], e[1].hex(), r[0], r[1].hex()))
            break


def check_mixed_batch(notify, redis, failures):
    rng = random.Random(20251129)
    operations = [make_operation(rng, i) for i in range(DISTINCT)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, (os.cpu_count() or 2) * 2)) as pool:
        expected_of = list(pool.map(lambda op: one_shot(notify, op[1]), operations))

    order = [i for i in range(DISTINCT) for _ in range(REPEAT)]
    rng.shuffle(order)
    lines = [line_of(rng, operations[i][0]) for i in order]
    expected = [expected_of[i] for i in order]
    # Bad lines (each message distinct, so none is merged with a neighbour's), blank and comment lines.
    bad_reports = []
    positions = sorted(rng.sample(range(len(lines)), BAD_LINES))
    for k, pos in enumerate(reversed(positions)):
        lines.insert(pos, b'{"user":"1","type":"T","bad%d":true}' % k)
    for pos in sorted(rng.sample(range(len(lines)), 30)):
        lines.insert(pos, rng.choice([b"", b"   ", b"# comment", b"\t# indented"]))
    for number, line in enumerate(lines, 1):
        if b'"bad' in line:
            name = line[line.index(b'"bad') + 1:line.index(b'":true')].decode()
            bad_reports.append('notify: line %d: unknown field "%s"' % (number, name))
    data = b"\n".join(lines) + b"\n"

    subscriber = Subscriber(redis.port, "socket.io*")
    try:
        result = run_notify(notify, ["--stdin", "--json"], data, redis.url)
        received = subscriber.wait_for(len(expected), MESSAGE_TIMEOUT_S)
    finally:
        subscriber.close()

    if result.returncode != 8:
        failures.append("mixed batch: exit %d, expected 8 (some lines failed); stderr:\n%s"
                        % (result.returncode, result.stderr.decode(errors="replace")[:2000]))
    stderr_lines = result.stderr.decode(errors="replace").splitlines()
    if stderr_lines[:-1] != bad_reports:
        failures.append("mixed batch: stderr reports differ:\n  expected %r\n  actual   %r"
                        % (bad_reports[:5], stderr_lines[:5]))
    try:
        summary = json.loads(result.stdout)
        want = {"lines": len(expected) + BAD_LINES, "sent": len(expected), "failed": BAD_LINES,
                "invalid": BAD_LINES, "not_published": 0, "receivers": len(expected), "no_receivers": 0,
                "stopped_at_line": None, "dry_run": False}
        got = {k: summary.get(k) for k in want}
        if got != want:
            failures.append("mixed batch: summary %r, expected %r" % (got, want))
    except ValueError:
        failures.append("mixed batch: stdout is not one JSON summary: %r" % result.stdout[:500])
    compare(failures, "mixed batch", expected, received)
    elapsed = json.loads(result.stdout).get("elapsed_ms", 0) if result.stdout else 0
    print("mixed batch: %d lines, %d messages compared, notify took %d ms" % (len(lines), len(received), elapsed))


def check_defaults(notify, redis, failures):
    rng = random.Random(7)
    flags = ["--nsp", "/admin", "--type", "ORDER_UPDATED", "--timestamp", "1764336000000", "--except", "muted"]
    cases = []
    for i in range(100):
        payload = rng.choice(PAYLOADS)
        line = b'{"user":%d,"payload":%s}' % (i, payload.encode())
        cases.append((line, flags + ["--user", str(i), "--payload", payload]))
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        expected = list(pool.map(lambda c: one_shot(notify, c[1]), cases))
    subscriber = Subscriber(redis.port, "socket.io*")
    try:
        result = run_notify(notify, ["--stdin"] + flags, b"\n".join(c[0] for c in cases), redis.url)
        received = subscriber.wait_for(len(expected), MESSAGE_TIMEOUT_S)
    finally:
        subscriber.close()
    if result.returncode != 0 or result.stdout or result.stderr:
        failures.append("defaults: exit %d, stdout %r, stderr %r" % (result.returncode, result.stdout, result.stderr))
    compare(failures, "defaults", expected, received)


def check_long_line(notify, redis, failures):
    good = [b'{"room":"a","event":"e","arg":1}', b'{"room":"a","event":"e","arg":2}']
    long_line = b'{"room":"a","event":"e","arg":"' + b"x" * (17 << 20) + b'"}'
    expected = [one_shot(notify, ["--room", "a", "--event", "e", "--arg", str(n)]) for n in (1, 2)]
    subscriber = Subscriber(redis.port, "socket.io*")
    try:
        result = run_notify(notify, ["--stdin"], good[0] + b"\n" + long_line + b"\n" + good[1], redis.url)
        received = subscriber.wait_for(len(expected), MESSAGE_TIMEOUT_S)
    finally:
        subscriber.close()
    stderr = result.stderr.decode(errors="replace").splitlines()
    if result.returncode != 8 or not stderr or stderr[0] != "notify: line 2: longer than 16 MiB: skipped":
        failures.append("long line: exit %d, stderr %r" % (result.returncode, stderr))
    compare(failures, "long line", expected, received)


def random_json(rng, depth=0):
    """JSON text of a random value, in the many spellings JSON allows (whitespace, escapes, number forms)."""
    ws = lambda: rng.choice(["", "", "", " ", "\t", "  "])  # noqa: E731
    kind = rng.choice(["int", "int", "num", "str", "str", "lit", "arr", "obj"] if depth < 4 else ["int", "str"])
    if kind == "int":
        return rng.choice(["0", "-0", "7", "-12", str(rng.randint(-10 ** 15, 10 ** 15)), str(2 ** 53 + 1),
                           "123456789012345678901234567890", "1" + "0" * 16])
    if kind == "num":
        return rng.choice(["1.5", "-0.0", "1e3", "1E-7", "2.5e+10", "1e400", "-1e400", "0.1", "1.0", "5e-324"])
    if kind == "str":
        s = rng.choice(["", "a", "plain text", r"\u00fc", r"\ud83c\udf89", r'\"q\"', r"\\", r"tab\tnl\n",
                        r"\u0000", r"\/", r"caf\u00e9", "\u00fcber", "\U0001f389", "0", "12", "}", "]", ","])
        return '"' + s + '"'
    if kind == "lit":
        return rng.choice(["true", "false", "null"])
    if kind == "arr":
        elements = [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return "[" + ws() + ("," + ws()).join(elements) + ws() + "]"
    keys = ["a", "b", "a", "1", "0", "10", "01", "-1", "4294967294", "4294967295", r"k\u0065y", "\u00fc", "x y", ""]
    members = [random_json_string(rng, keys) + ws() + ":" + ws() + random_json(rng, depth + 1)
               for _ in range(rng.randint(0, 5))]
    return "{" + ws() + ("," + ws()).join(members) + ws() + "}"


def random_json_string(rng, choices):
    return '"' + rng.choice(choices) + '"'


def expected_reports(events):
    """notify's reports for (line, message or None for a success) events in line order: consecutive failures with
    the same message become one "lines A-B" report; a success ends such a run."""
    reports, run = [], None

    def end_run():
        if run:
            first, last, message = run
            where = "line %d" % first if first == last else "lines %d-%d" % (first, last)
            reports.append("notify: %s: %s" % (where, message))

    for line, message in events:
        if message is None:
            end_run()
            run = None
        elif run and run[2] == message:
            run = (run[0], line, message)
        else:
            end_run()
            run = (line, line, message)
    end_run()
    return reports


def check_report_order(notify, redis, failures):
    """Bad lines (found by the main thread) and publishes Redis refuses (reported by completions on the I/O thread)
    densely interleaved with good lines and waited-for joins: every failure reported once, in line order."""
    conn = Resp(redis.port, 5)
    try:
        conn.send("ACL", "SETUSER", "order", "on", ">pw", "resetchannels", "&socket.io#/#allowed#",
                  "&socket.io-request#/#", "+publish")
        reply = conn.read()
    finally:
        conn.close()
    if reply != b"OK":
        failures.append("report order: ACL SETUSER answered %r" % reply)
        return
    rng = random.Random(5)
    lines, events = [], []
    refused = "PUBLISH failed: NOPERM*"
    for number in range(1, 20001):
        kind = rng.choices(["ok", "refused", "bad", "join", "blank"], [50, 20, 20, 5, 5])[0]
        if kind == "ok":
            lines.append(b'{"room":"allowed","event":"e","arg":%d}' % number)
            events.append((number, None))
        elif kind == "refused":
            lines.append(b'{"room":"denied","event":"e","arg":%d}' % number)
            events.append((number, refused))
        elif kind == "bad":
            lines.append(b'{"room":"allowed","event":"e","bad%d":1}' % number)
            events.append((number, 'unknown field "bad%d"' % number))
        elif kind == "join":
            lines.append(b'{"op":"join","room":"allowed","rooms":"vip"}')
            events.append((number, None))
        else:
            lines.append(b"")
    url = "redis://order:pw@127.0.0.1:%d" % redis.port
    result = run_notify(notify, ["--stdin", "--json", "--redis", url], b"\n".join(lines) + b"\n", redis.url)
    # No subscriber: the 0-receivers warning and the summary follow the reports.
    actual = [re.sub(r"NOPERM .*", "NOPERM*", line) for line in result.stderr.decode(errors="replace").splitlines()
              if line.startswith(("notify: line ", "notify: lines "))]
    expected = expected_reports(events)
    if result.returncode != 8 or actual != expected:
        first = next((i for i, (a, e) in enumerate(zip(actual, expected)) if a != e), min(len(actual), len(expected)))
        failures.append("report order: exit %d; %d reports expected, %d printed; first difference at %d:\n"
                        "  expected %r\n  actual   %r" % (result.returncode, len(expected), len(actual), first,
                                                          expected[first:first + 3], actual[first:first + 3]))
    summary = json.loads(result.stdout) if result.stdout else {}
    counts = {k: sum(1 for _, m in events if (m == refused) == (k == "not_published") and
                     (m is None) == (k == "sent") and (m not in (None, refused)) == (k == "invalid"))
              for k in ("sent", "invalid", "not_published")}
    got = {k: summary.get(k) for k in counts}
    if got != counts:
        failures.append("report order: summary %r, expected %r" % (got, counts))


def main(argv):
    notify = notify_from_argv(argv, __doc__, "stdin_pipeline.py")
    if notify is None:
        return 2
    workdir = tempfile.mkdtemp(prefix="sio-stdin-")
    redis = None
    try:
        redis = RedisServer(workdir).start()
        return run_checks((check_mixed_batch, check_defaults, check_long_line, check_report_order),
                          lambda check, failures: check(notify, redis, failures))
    finally:
        if redis:
            redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
