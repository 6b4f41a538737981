#!/usr/bin/env python3
"""Golden tests for the notify CLI against a real redis-server.

Usage: run_golden.py NOTIFY_BINARY CASES_DIR [--update] [CASE_NAME...]

Each case is a directory CASES_DIR/<name>/ holding:
  args               one argument per line (raw bytes; an empty line is an empty argument)
  env                optional KEY=VALUE lines; a bare KEY unsets it. REDIS_URL defaults to the test Redis.
  stdin              optional bytes fed to notify's standard input (otherwise /dev/null), as they are
  redis_setup        optional Redis commands run before notify, one per line, words separated by spaces
                     (e.g. an ACL user: "ACL SETUSER limited on >pw resetchannels &socket.io#/#a# +publish")
  mask               optional regular expressions (Python, one per line): each match in the actual stdout and
                     stderr becomes @MASKED@ before the comparison (for times and other varying values)
  subscribe          optional channel patterns, one per line: a raw subscriber PSUBSCRIBEs them before notify runs
  expected_messages  optional "<channel> <payload hex>" lines the subscriber must have received, in order
                     (checked, and rewritten by --update, only where the file exists)
  expected_stdout, expected_stderr, expected_exit   (missing: empty, empty, 0)
  time_limit         optional seconds notify must be done within (a failure that must come at once, not after its
                     --timeout); never rewritten by --update
Placeholders in args, env, redis_setup and expected files: @REDIS_PORT@, @REDIS_URL@, @UNUSED_PORT@ (nothing
listens there), @SILENT_PORT@ (accepts connections, never answers), @PASSWORD_REDIS_PORT@ (a second redis-server,
which needs the password "golden-secret").

--update rewrites the expected files from what notify does now (for developers; review the diff).
Prints a final line "N passed, M failed" and exits non-zero when a case fails.
"""

import difflib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import RedisServer, Resp, free_port  # noqa: E402

CASE_TIMEOUT_S = 20
SUBSCRIBER_IO_TIMEOUT_S = 5
MESSAGE_WAIT_S = 1.0


class Subscriber:
    def __init__(self, port, patterns):
        self.conn = Resp(port, SUBSCRIBER_IO_TIMEOUT_S)
        self.conn.send("PSUBSCRIBE", *patterns)
        for _ in patterns:  # one confirmation per pattern: subscribed before notify runs
            self.conn.read()

    def messages(self, expected_count=None):
        """The (channel, payload) pairs received: waits until expected_count arrived, or briefly for stragglers."""
        received = []
        deadline = time.monotonic() + MESSAGE_WAIT_S
        try:
            while expected_count is None or len(received) < expected_count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.conn.sock.settimeout(remaining)
                reply = self.conn.read()
                if isinstance(reply, list) and reply and reply[0] == b"pmessage":
                    received.append((reply[2], reply[3]))
        except (socket.timeout, TimeoutError):
            pass
        return received

    def close(self):
        self.conn.close()


def read_optional(path, default=b""):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return default


def lines_of(content):
    """Splits file content into lines; a final newline does not make an extra empty line."""
    if content == b"":
        return []
    if content.endswith(b"\n"):
        content = content[:-1]
    return content.split(b"\n")


class Placeholders:
    def __init__(self, redis_port, unused_port, silent_port, password_redis_port):
        self.values = [
            (b"@REDIS_URL@", b"redis://127.0.0.1:%d" % redis_port),
            (b"@REDIS_PORT@", b"%d" % redis_port),
            (b"@UNUSED_PORT@", b"%d" % unused_port),
            (b"@SILENT_PORT@", b"%d" % silent_port),
            (b"@PASSWORD_REDIS_PORT@", b"%d" % password_redis_port),
        ]

    def fill(self, data):
        for name, value in self.values:
            data = data.replace(name, value)
        return data

    def unfill(self, data):
        """For --update: puts placeholders back where the run's ports show up."""
        url_name, url = self.values[0]
        data = data.replace(url, url_name)
        for name, value in self.values[1:]:
            data = re.sub(rb"(?<![0-9A-Za-z])" + re.escape(value) + rb"(?![0-9A-Za-z])", name, data)
        return data


def case_environment(case_dir, placeholders):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SIO_KEY")}
    env["REDIS_URL"] = placeholders.fill(b"@REDIS_URL@").decode()
    for line in lines_of(placeholders.fill(read_optional(os.path.join(case_dir, "env")))):
        if not line.strip():
            continue
        key, sep, value = line.decode().partition("=")
        if sep:
            env[key] = value
        else:
            env.pop(key, None)
    return env


def show(data):
    return data.decode("utf-8", errors="backslashreplace").splitlines(keepends=True)


def diff(label, expected, actual):
    return "".join(difflib.unified_diff(show(expected), show(actual), "expected_" + label, "actual_" + label))


def redis_setup(case_dir, redis, placeholders):
    """Runs the case's setup commands; returns failure messages for those Redis refused."""
    failures = []
    commands = [c for c in lines_of(placeholders.fill(read_optional(os.path.join(case_dir, "redis_setup")))) if c]
    if not commands:
        return failures
    conn = Resp(redis.port, SUBSCRIBER_IO_TIMEOUT_S)
    try:
        for command in commands:
            conn.send(*command.split(b" "))
            reply = conn.read()
            if isinstance(reply, bytes) and reply.startswith(b"ERR"):
                failures.append("redis_setup: %r failed: %r" % (command, reply))
    finally:
        conn.close()
    return failures


def masked(data, patterns):
    for pattern in patterns:
        data = re.sub(pattern, b"@MASKED@", data)
    return data


def run_case(notify, case_dir, redis, placeholders, update):
    args = [placeholders.fill(a) for a in lines_of(read_optional(os.path.join(case_dir, "args")))]
    env = case_environment(case_dir, placeholders)
    stdin_path = os.path.join(case_dir, "stdin")
    stdin_data = read_optional(stdin_path) if os.path.exists(stdin_path) else None
    mask = [p for p in lines_of(read_optional(os.path.join(case_dir, "mask"))) if p]
    setup_failures = redis_setup(case_dir, redis, placeholders)
    if setup_failures:
        return setup_failures
    patterns = [p for p in lines_of(read_optional(os.path.join(case_dir, "subscribe"))) if p]
    messages_path = os.path.join(case_dir, "expected_messages")
    checks_messages = os.path.exists(messages_path)
    expected_count = None if update or not checks_messages else len(lines_of(read_optional(messages_path)))
    subscriber = Subscriber(redis.port, patterns) if patterns else None
    try:
        try:
            stdin = {"input": stdin_data} if stdin_data is not None else {"stdin": subprocess.DEVNULL}
            started = time.monotonic()
            result = subprocess.run([notify] + args, env=env, capture_output=True, timeout=CASE_TIMEOUT_S, **stdin)
            elapsed = time.monotonic() - started
            actual = {"stdout": masked(result.stdout, mask), "stderr": masked(result.stderr, mask),
                      "exit": b"%d\n" % result.returncode}
        except subprocess.TimeoutExpired:
            return ["timed out after %ds" % CASE_TIMEOUT_S]
        messages = subscriber.messages(expected_count) if subscriber else []
    finally:
        if subscriber:
            subscriber.close()
    actual["messages"] = b"".join(b"%s %s\n" % (channel, payload.hex().encode()) for channel, payload in messages)

    files = {"stdout": "expected_stdout", "stderr": "expected_stderr", "exit": "expected_exit",
             "messages": "expected_messages"}
    if update:
        for key, name in files.items():
            path = os.path.join(case_dir, name)
            if key == "messages" and not checks_messages:
                continue
            with open(path, "wb") as f:
                f.write(placeholders.unfill(actual[key]))
        return []

    failures = []
    time_limit = read_optional(os.path.join(case_dir, "time_limit")).strip()
    if time_limit and elapsed > float(time_limit):
        failures.append("took %.1f s, more than the case's time_limit of %s s" % (elapsed, time_limit.decode()))
    for key, name in files.items():
        path = os.path.join(case_dir, name)
        if key == "messages" and not checks_messages:
            continue  # only checked where the case says what must arrive
        expected = placeholders.fill(read_optional(path, b"0\n" if key == "exit" else b""))
        if expected != actual[key]:
            failures.append(diff(key, expected, actual[key]))
    return failures


def main(argv):
    update = "--update" in argv
    positional = [a for a in argv[1:] if a != "--update"]
    if len(positional) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    notify, cases_root, only = os.path.abspath(positional[0]), positional[1], set(positional[2:])
    if not os.access(notify, os.X_OK):
        print("run_golden.py: %s is not an executable notify binary" % notify, file=sys.stderr)
        return 2
    if shutil.which("redis-server") is None:
        print("run_golden.py: redis-server is not on PATH", file=sys.stderr)
        return 2
    names = sorted(n for n in os.listdir(cases_root) if os.path.isdir(os.path.join(cases_root, n)))
    if only:
        names = [n for n in names if n in only]

    workdir = tempfile.mkdtemp(prefix="sio-cli-golden-")
    silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    redis = password_redis = None
    passed = failed = 0
    try:
        redis = RedisServer(workdir).start()
        password_dir = os.path.join(workdir, "password")
        os.mkdir(password_dir)
        password_redis = RedisServer(password_dir, ["--requirepass", "golden-secret"]).start()
        # Connections complete in the kernel's backlog but nobody ever reads or answers: a command timeout.
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        unused_port = free_port()
        placeholders = Placeholders(redis.port, unused_port, silent.getsockname()[1], password_redis.port)
        for name in names:
            failures = run_case(notify, os.path.join(cases_root, name), redis, placeholders, update)
            if failures:
                failed += 1
                print("FAIL %s" % name)
                for failure in failures:
                    print(failure.rstrip("\n"))
            else:
                passed += 1
                print("ok   %s%s" % (name, " (updated)" if update else ""))
    finally:
        silent.close()
        for server in (redis, password_redis):
            if server:
                server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
