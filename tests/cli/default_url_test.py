#!/usr/bin/env python3
"""notify and sio-gateway with neither --redis nor REDIS_URL, where the default Redis (127.0.0.1:6379) is down: the
error says the URL is the default and how to give another.

Usage: default_url_test.py --notify NOTIFY_BINARY | --gateway SIO_GATEWAY_BINARY

Needs 127.0.0.1:6379 closed: when something accepts connections there (a developer's own Redis), the test cannot run
and says so, exiting 77 (ctest's SKIP_RETURN_CODE: reported as skipped, not passed).
1. notify --all --event e: exit 4, "notify: error: cannot connect to Redis at redis://127.0.0.1:6379/0 (the default:
   give --redis URL or set REDIS_URL): Connection refused".
2. notify --retry 1 -v: the note of the failed attempt and the final error say it too.
3. With --redis or REDIS_URL naming the same URL: the plain message (the user chose it).
4. sio-gateway: exit 4 and the same words in its "cannot start" log line.
Prints what failed and exits non-zero on any failure.
"""

import json
import os
import re
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import run_checks, run_notify  # noqa: E402

SKIP = 77
RUN_TIMEOUT_S = 20
DEFAULT = "redis://127.0.0.1:6379"
NAMED = ("cannot connect to Redis at redis://127.0.0.1:6379/0 (the default: give --redis URL or set REDIS_URL): "
         "Connection refused")
PLAIN = "cannot connect to Redis at redis://127.0.0.1:6379/0: Connection refused"


def default_port_open():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", 6379)) == 0


def expect(failures, what, result, code, stderr):
    actual = result.stderr.decode(errors="backslashreplace")
    if result.returncode != code or not re.fullmatch(stderr, actual):
        failures.append("%s: exit %d (expected %d), stderr %r does not match %r" % (what, result.returncode, code,
                                                                                     actual, stderr))


def notify_checks(notify):
    def check_default(_, failures):
        expect(failures, "no --redis, no REDIS_URL", run_notify(notify, ["--all", "--event", "e"], RUN_TIMEOUT_S), 4,
               re.escape("notify: error: %s\n" % NAMED))

    def check_default_retried(_, failures):
        result = run_notify(notify, ["--all", "--event", "e", "--retry", "1", "--retry-delay", "10ms", "-v"],
                            RUN_TIMEOUT_S)
        expect(failures, "--retry 1 -v", result, 4,
               re.escape("notify: attempt 1 failed: %s; retrying in " % NAMED) + r"[0-9]+ ms\n" +
               re.escape("notify: error: gave up after 2 attempts in ") + r"[0-9]+ ms: " + re.escape(NAMED) + r"\n")

    def check_chosen(_, failures):
        expect(failures, "--redis " + DEFAULT, run_notify(notify, ["--all", "--event", "e", "--redis", DEFAULT],
                                                          RUN_TIMEOUT_S), 4, re.escape("notify: error: %s\n" % PLAIN))
        expect(failures, "REDIS_URL=" + DEFAULT, run_notify(notify, ["--all", "--event", "e"], RUN_TIMEOUT_S,
                                                            {"REDIS_URL": DEFAULT}), 4,
               re.escape("notify: error: %s\n" % PLAIN))

    return [check_default, check_default_retried, check_chosen]


def gateway_checks(gateway):
    def check_gateway_default(_, failures):
        env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
        result = subprocess.run([gateway, "--auth", "trusted", "--host", "127.0.0.1", "--port", "0"], env=env,
                                stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT_S)
        errors = [json.loads(line) for line in result.stderr.decode().splitlines() if '"level":"error"' in line]
        if result.returncode != 4 or len(errors) != 1 or errors[0].get("error") != NAMED:
            failures.append("sio-gateway without --redis: exit %d, stderr %r; expected exit 4 and error %r" %
                            (result.returncode, result.stderr, NAMED))

    return [check_gateway_default]


def main(argv):
    if len(argv) != 3 or argv[1] not in ("--notify", "--gateway"):
        print(__doc__, file=sys.stderr)
        return 2
    if default_port_open():
        print("SKIPPED: something accepts connections on 127.0.0.1:6379, the default Redis URL; these checks need it "
              "closed")
        return SKIP
    binary = os.path.abspath(argv[2])
    checks = notify_checks(binary) if argv[1] == "--notify" else gateway_checks(binary)
    return run_checks(checks, lambda check, failures: check(check, failures))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
