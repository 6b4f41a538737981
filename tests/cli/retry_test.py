#!/usr/bin/env python3
"""notify --retry and --deadline against Redis down, and against Redis coming back.

Usage: retry_test.py NOTIFY_BINARY

1. Deadline: `--retry 100 --deadline 1s` against a port nobody listens on gives up with exit 4 (Redis
   unreachable) after 1.0 to 2.0 s: the deadline, not the 100 retries, ends the run.
2. Redis comes back: `--retry 20 --retry-delay 50ms` started while nothing listens on the port; a real
   redis-server starts there ~400 ms later. notify must retry (-v says so), exit 0, and Redis must have
   received exactly one PUBLISH (its own command statistics: no subscriber can race the publish).
3. The same for `--stdin`: the first connection is retried, then every line is published once.
4. Redis lost in the middle of `--stdin` (no --retry): the run stops at the first line it cannot send, exit 4,
   and the summary counts that line as not published (issue 25: it counted it nowhere).
5. Redis SIGKILLed ~1 s into 20,000 paced `--stdin --retry 5` lines (streams mode, so that what Redis kept is
   readable afterwards; AOF with appendfsync always, so that what it acknowledged survives) and restarted on the
   same port 0.4 s later: exit 0, every line is in the stream at least once, copies only of lines counted as
   retried, and the summary's counts are the stream's (issue 21).
Prints what failed and exits non-zero on any failure.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import RedisServer, Resp, free_port, notify_from_argv, run_checks  # noqa: E402

RUN_TIMEOUT_S = 10
REDIS_DELAY_S = 0.4


def publish_calls(redis):
    """How many PUBLISH commands Redis has executed since it started."""
    conn = Resp(redis.port, 5)
    try:
        conn.send("INFO", "commandstats")
        info = conn.read()
    finally:
        conn.close()
    match = re.search(rb"^cmdstat_publish:calls=([0-9]+)", info, re.M)
    return int(match.group(1)) if match else 0


def check_deadline(notify, workdir, failures):
    url = "redis://127.0.0.1:%d" % free_port()
    started = time.monotonic()
    result = subprocess.run([notify, "--redis", url, "--retry", "100", "--deadline", "1s", "--all", "--event", "e"],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT_S)
    elapsed = time.monotonic() - started
    if result.returncode != 4:
        failures.append("deadline: exit %d, expected 4; stderr %r" % (result.returncode, result.stderr))
    if not 1.0 <= elapsed <= 2.0:
        failures.append("deadline: took %.3f s, expected 1.0 to 2.0 s" % elapsed)
    if not re.match(rb"notify: error: gave up after [0-9]+ attempts in [0-9]+ ms: cannot connect", result.stderr):
        failures.append("deadline: unexpected stderr %r" % result.stderr)


def run_while_redis_starts(notify, workdir, name, args, stdin_data):
    """Starts notify against a port where Redis starts REDIS_DELAY_S later; (result, redis publish calls)."""
    redis_dir = os.path.join(workdir, name)
    os.mkdir(redis_dir)
    redis = RedisServer(redis_dir)  # picks its free port; nothing listens there until start()
    stdin_path = os.path.join(workdir, name + ".stdin")
    with open(stdin_path, "wb") as f:
        f.write(stdin_data)
    try:
        with open(stdin_path, "rb") as stdin:
            process = subprocess.Popen([notify, "--redis", redis.url] + args, stdin=stdin,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            time.sleep(REDIS_DELAY_S)
            redis.start()
            stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
        finally:
            if process.poll() is None:  # only the process started here, by its handle
                process.kill()
                process.wait(timeout=5)
        return process.returncode, stdout, stderr, publish_calls(redis)
    finally:
        redis.stop()


def check_redis_comes_back(notify, workdir, failures):
    code, _, stderr, calls = run_while_redis_starts(
        notify, workdir, "one-shot",
        ["--retry", "20", "--retry-delay", "50ms", "-v", "--user", "42", "--type", "ORDER_UPDATED"], b"")
    if code != 0:
        failures.append("comes back: exit %d, expected 0; stderr %r" % (code, stderr))
    if not re.search(rb"^notify: attempt 1 failed: cannot connect .*; retrying in [0-9]+ ms$", stderr, re.M):
        failures.append("comes back: no retry reported; stderr %r" % stderr)
    if b"published" not in stderr:
        failures.append("comes back: -v did not report the publish; stderr %r" % stderr)
    if calls != 1:
        failures.append("comes back: Redis executed %d PUBLISH, expected 1" % calls)


def check_stdin_redis_comes_back(notify, workdir, failures):
    lines = b"".join(b'{"user":"%d","type":"T"}\n' % i for i in range(3))
    code, _, stderr, calls = run_while_redis_starts(
        notify, workdir, "stdin", ["--stdin", "--retry", "20", "--retry-delay", "50ms", "-v"], lines)
    if code != 0:
        failures.append("stdin comes back: exit %d, expected 0; stderr %r" % (code, stderr))
    if not re.search(rb"^notify: attempt 1 failed: cannot connect .*; retrying in [0-9]+ ms$", stderr, re.M):
        failures.append("stdin comes back: no retry reported; stderr %r" % stderr)
    if b"3 lines: 3 sent" not in stderr:
        failures.append("stdin comes back: unexpected summary; stderr %r" % stderr)
    if calls != 3:
        failures.append("stdin comes back: Redis executed %d PUBLISH, expected 3" % calls)


def check_stdin_stops_at_lost_redis(notify, workdir, failures):
    redis_dir = os.path.join(workdir, "stop")
    os.mkdir(redis_dir)
    redis = RedisServer(redis_dir)
    redis.start()
    process = subprocess.Popen([notify, "--redis", redis.url, "--stdin", "--timeout", "2s"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        process.stdin.write(b'{"user":"1","type":"T"}\n')
        process.stdin.flush()
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while publish_calls(redis) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        redis.stop()
        process.stdin.write(b'{"user":"2","type":"T"}\n{"user":"3","type":"T"}\n')
        process.stdin.close()
        stderr = process.stderr.read()
        process.wait(timeout=RUN_TIMEOUT_S)
    finally:
        if process.poll() is None:  # only the process started here, by its handle
            process.kill()
            process.wait(timeout=5)
        redis.stop()
    if process.returncode != 4:
        failures.append("stdin stop: exit %d, expected 4; stderr %r" % (process.returncode, stderr))
    if not re.search(rb"^notify: error: line 2: cannot connect to Redis at .*\(stopped: line 2 and the rest of "
                     rb"the input were not sent\)$", stderr, re.M):
        failures.append("stdin stop: no stop message for line 2; stderr %r" % stderr)
    if not re.search(rb"^notify: 2 lines: 1 sent \(0 receivers\), 1 failed \(0 invalid, 1 not published\), "
                     rb"1 with 0 receivers, stopped at line 2, [0-9]+ ms$", stderr, re.M):
        failures.append("stdin stop: the summary does not count line 2 as not published; stderr %r" % stderr)


def check_stdin_retry_survives_restart(notify, workdir, failures):
    total = 20000
    redis_dir = os.path.join(workdir, "restart")
    os.mkdir(redis_dir)
    aof = ["--appendonly", "yes", "--appendfsync", "always"]
    redis = RedisServer(redis_dir, extra_args=aof)
    redis.start()
    args = [notify, "--redis", redis.url, "--stdin", "--mode", "streams", "--maxlen", "1000000", "--retry", "5",
            "--retry-delay", "300ms", "--timeout", "2s", "--json"]
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    restarted = None
    try:
        def feed():
            # 20,000 lines in about 2 s, in bursts of 1000 (so that some are in flight when Redis dies).
            for start in range(0, total, 1000):
                process.stdin.write(b"".join(b'{"user":"1","type":"T","payload":{"n":%d}}\n' % n
                                             for n in range(start, start + 1000)))
                process.stdin.flush()
                time.sleep(0.1)
            # communicate() closes stdin: the end of the input.
        feeder = threading.Thread(target=feed)
        feeder.start()
        time.sleep(1.0)
        redis.process.kill()  # SIGKILL, by its handle
        redis.process.wait(timeout=5)
        time.sleep(0.4)
        restarted = RedisServer(redis_dir, extra_args=aof)
        restarted.port = redis.port  # where notify reconnects; the AOF in the same directory is loaded
        deadline = time.monotonic() + 10
        while True:
            try:
                restarted._start_once()
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        feeder.join(timeout=RUN_TIMEOUT_S * 6)
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S * 6)
    except BaseException:
        if restarted is not None:  # the restarted Redis is stopped below only when the run got that far
            restarted.stop()
        raise
    finally:
        if process.poll() is None:  # only the process started here, by its handle
            process.kill()
            process.wait(timeout=5)
    try:
        if process.returncode != 0:
            failures.append("retry restart: exit %d, expected 0; stderr %r" % (process.returncode, stderr[-2000:]))
            return
        summary = json.loads(stdout.decode().strip().splitlines()[-1])
        conn = Resp(restarted.port, 10)
        try:
            conn.send("XRANGE", "socket.io", "-", "+")
            entries = conn.read()
        finally:
            conn.close()
        seen = {}
        for _, fields in entries:
            data = dict(zip(fields[0::2], fields[1::2]))[b"data"]
            n = json.loads(data)["packet"]["data"][1]["payload"]["n"]
            seen[n] = seen.get(n, 0) + 1
        missing = [n for n in range(total) if n not in seen]
        copies = sum(c - 1 for c in seen.values())
        print("retry restart: %d lines, %d sent, %d retried; the stream holds %d entries (%d distinct, %d copies)"
              % (summary["lines"], summary["sent"], summary["retried"], len(entries), len(seen), copies))
        if missing:
            failures.append("retry restart: %d lines missing from the stream (first %r)" % (len(missing), missing[:5]))
        if summary["lines"] != total or summary["sent"] != total or summary["failed"] != 0:
            failures.append("retry restart: summary %r, expected %d lines, all sent, none failed" % (summary, total))
        if summary["retried"] < 1:
            failures.append("retry restart: nothing retried, yet Redis was killed under the run: %r" % summary)
        if copies > summary["retried"]:
            failures.append("retry restart: %d copies, more than the %d lines retried" % (copies, summary["retried"]))
        if len(entries) != summary["sent"] + copies:
            failures.append("retry restart: %d entries, expected sent %d + copies %d" % (len(entries), summary["sent"], copies))
    finally:
        restarted.stop()
        redis.stop()


def main(argv):
    notify = notify_from_argv(argv, __doc__, "retry_test.py")
    if notify is None:
        return 2
    workdir = tempfile.mkdtemp(prefix="sio-retry-")
    try:
        return run_checks((check_deadline, check_redis_comes_back, check_stdin_redis_comes_back,
                           check_stdin_stops_at_lost_redis, check_stdin_retry_survives_restart),
                          lambda check, failures: check(notify, workdir, failures))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
