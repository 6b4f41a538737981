#!/usr/bin/env python3
"""notify over TLS (rediss://) against a real redis-server with --tls-port and certificates made here with the
openssl command: a CA, a server certificate for localhost/127.0.0.1 signed by it, and an unrelated CA.

Usage: tls_test.py NOTIFY_BINARY

1. rediss:// with --tls-ca-file: exit 0, quiet, and a subscriber (on the plain port) gets the notification.
2. --tls with a redis:// URL, and the CA from $SIO_TLS_CA_FILE: exit 0.
3. The wrong CA: exit 11 and one line naming the endpoint and the reason; --retry does not retry it.
4. --tls-insecure with the wrong CA: exit 0 and a warning on stderr.
5. --tls-cert without --tls-key: exit 2 (usage), nothing connects.
Prints what failed and exits non-zero on any failure.
"""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import RedisServer, Resp, free_port, make_certificates, run_notify  # noqa: E402

RUN_TIMEOUT_S = 20


def run(notify, args, env=None):
    return run_notify(notify, args, RUN_TIMEOUT_S, env, unset=("REDIS_URL", "SIO_TLS_CA_FILE", "SIO_TLS_CA_DIR",
                                                               "SIO_TLS_CERT", "SIO_TLS_KEY", "SIO_TLS_SERVER_NAME"))


def expect(failures, what, result, code, stderr_pattern=None):
    if result.returncode != code:
        failures.append("%s: exit %d, expected %d; stderr %r" % (what, result.returncode, code, result.stderr))
    elif stderr_pattern is not None and not re.fullmatch(stderr_pattern, result.stderr):
        failures.append("%s: unexpected stderr %r" % (what, result.stderr))


def main():
    notify = sys.argv[1]
    failures = []
    workdir = tempfile.mkdtemp(prefix="sio-cli-tls-")
    redis = None
    try:
        make_certificates(workdir)
        ca, other_ca = os.path.join(workdir, "ca.pem"), os.path.join(workdir, "other-ca.pem")
        tls_port = free_port()
        redis = RedisServer(workdir, ["--tls-port", str(tls_port), "--tls-cert-file",
                                      os.path.join(workdir, "server.pem"), "--tls-key-file",
                                      os.path.join(workdir, "server.key"), "--tls-ca-cert-file", ca,
                                      "--tls-auth-clients", "no"]).start()
        tls_url = "rediss://127.0.0.1:%d" % tls_port
        seed = ["--user", "42", "--type", "T"]

        subscriber = Resp(redis.port, 5)
        subscriber.send("PSUBSCRIBE", "socket.io#/#*")
        subscriber.read()
        result = run(notify, ["--redis", tls_url, "--tls-ca-file", ca] + seed)
        expect(failures, "rediss:// with the CA", result, 0, rb"")
        if result.returncode == 0:
            message = subscriber.read()
            if not (isinstance(message, list) and message[2] == b"socket.io#/#user:42#" and b"T" in message[3]):
                failures.append("rediss:// with the CA: the subscriber got %r" % (message,))
        # The subscriber stays: a receiver, so the runs below have no "0 receivers" warning.

        result = run(notify, ["--redis", "redis://127.0.0.1:%d" % tls_port, "--tls"] + seed, {"SIO_TLS_CA_FILE": ca})
        expect(failures, "--tls with redis:// and $SIO_TLS_CA_FILE", result, 0, rb"")

        wrong = rb"notify: error: TLS handshake with rediss://127\.0\.0\.1:%d/0 failed: certificate verify failed " \
                rb"\(self-signed certificate in certificate chain\)\n" % tls_port
        result = run(notify, ["--redis", tls_url, "--tls-ca-file", other_ca] + seed)
        expect(failures, "the wrong CA", result, 11, wrong)
        result = run(notify, ["--redis", tls_url, "--tls-ca-file", other_ca, "--retry", "3", "-v"] + seed)
        expect(failures, "the wrong CA with --retry (not retried)", result, 11, wrong)

        result = run(notify, ["--redis", tls_url, "--tls-ca-file", other_ca, "--tls-insecure"] + seed)
        expect(failures, "--tls-insecure", result, 0,
               rb"notify: warning: --tls-insecure: the Redis server's certificate is not verified.*\n")

        result = run(notify, ["--redis", tls_url, "--tls-cert", os.path.join(workdir, "server.pem")] + seed)
        expect(failures, "--tls-cert without --tls-key", result, 2,
               rb"notify: error: --tls-cert and --tls-key go together.*\n(.*\n)*")
        subscriber.close()
    finally:
        if redis is not None:
            redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    for failure in failures:
        print("FAIL " + failure)
    print("%d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
