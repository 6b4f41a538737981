#!/usr/bin/env python3
"""sio-gateway when Redis refuses it at start, through the binary and a real redis-server: the "cannot start" log
line carries the library's words (the same notify prints) and the exit code is notify's.

Usage: redis_start_test.py SIO_GATEWAY_BINARY

1. A Redis with --requirepass and a URL without the password: exit 5 (refused), and the error says the server needs
   a password and that it goes in the Redis URL.
2. rediss:// to that plain Redis with --timeout far beyond the test's bound: exit 11 (TLS) within 5 s, and the error
   says it is a plain Redis and what to use instead.
Prints what failed and exits non-zero on any failure.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import RedisServer, run_checks  # noqa: E402

RUN_TIMEOUT_S = 30
FAST_S = 5


def start_gateway(gateway, redis_url):
    """Runs sio-gateway until it exits: (exit code, the error log lines as dicts, stderr, seconds taken)."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    started = time.monotonic()
    result = subprocess.run([gateway, "--auth", "trusted", "--host", "127.0.0.1", "--port", "0", "--redis", redis_url],
                            env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=RUN_TIMEOUT_S)
    errors = [json.loads(line) for line in result.stderr.decode().splitlines() if '"level":"error"' in line]
    return result.returncode, errors, result.stderr, time.monotonic() - started


def main(argv):
    if len(argv) != 2 or shutil.which("redis-server") is None:
        print(__doc__, file=sys.stderr)
        return 2
    gateway = os.path.abspath(argv[1])
    workdir = tempfile.mkdtemp(prefix="sio-gateway-redis-start-")
    redis = None
    try:
        redis = RedisServer(workdir, ["--requirepass", "s3cret"]).start()

        def check_no_password(_, failures):
            code, errors, stderr, _took = start_gateway(gateway, "redis://127.0.0.1:%d" % redis.port)
            expected = ("Redis at redis://127.0.0.1:%d/0 refused a subscription: PSUBSCRIBE socket.io#/#* failed: "
                        "NOAUTH Authentication required. (the server needs a password: put it in the Redis URL, "
                        "redis://:PASSWORD@HOST:PORT or redis://USER:PASSWORD@HOST:PORT, e.g. in REDIS_URL)" %
                        redis.port)
            if code != 5 or len(errors) != 1 or errors[0].get("error") != expected:
                failures.append("no password: exit %d, stderr %r; expected exit 5 and error %r" %
                                (code, stderr, expected))

        def check_tls_to_plain(_, failures):
            url = "rediss://127.0.0.1:%d" % redis.port
            code, errors, stderr, took = start_gateway(gateway, url)
            expected = ("TLS handshake with %s/0 failed: the server is a plain Redis, not a TLS one (use redis:// "
                        "without --tls, or the server's TLS port)" % url)
            if code != 11 or len(errors) != 1 or errors[0].get("error") != expected or took > FAST_S:
                failures.append("rediss:// to a plain Redis: exit %d after %.1f s, stderr %r; expected exit 11 "
                                "within %d s and error %r" % (code, took, stderr, FAST_S, expected))

        return run_checks([check_no_password, check_tls_to_plain], lambda check, failures: check(check, failures))
    finally:
        if redis is not None:
            redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
