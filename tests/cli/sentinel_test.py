#!/usr/bin/env python3
"""notify with a redis+sentinel:// URL against a real master and a real sentinel (redis-server --sentinel with a
config file written here) on loopback.

Usage: sentinel_test.py NOTIFY_BINARY

1. --redis redis+sentinel://127.0.0.1:<sentinel>/mymaster: exit 0, quiet, and a subscriber on the master gets the
   notification.
2. A master name the sentinel does not know: exit 4 and the one exact line naming the sentinel and the reason.
Prints what failed and exits non-zero on any failure.
"""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import (RedisServer, Resp, notify_from_argv, run_checks,  # noqa: E402
                           run_notify, start_sentinel)

RUN_TIMEOUT_S = 20


def run(notify, args):
    return run_notify(notify, args, RUN_TIMEOUT_S)


def main():
    notify = notify_from_argv(sys.argv, __doc__, "sentinel_test.py")
    if notify is None:
        return 2
    master_dir = tempfile.mkdtemp(prefix="sio-cli-sentinel-")
    sentinel_dir = tempfile.mkdtemp(prefix="sio-cli-sentinel-")
    master = RedisServer(master_dir)
    sentinel = None
    try:
        master.start()
        sentinel = start_sentinel(sentinel_dir, master.port)
        url = "redis+sentinel://127.0.0.1:%d/mymaster" % sentinel.port

        def delivers_through_the_sentinel(failures):
            subscriber = Resp(master.port, 5)
            try:
                subscriber.send("PSUBSCRIBE", "socket.io#/#*")
                subscriber.read()
                result = run(notify, ["--redis", url, "--user", "42", "--type", "T"])
                if result.returncode != 0 or result.stdout or result.stderr:
                    failures.append("exit %d, stdout %r, stderr %r" % (result.returncode, result.stdout,
                                                                       result.stderr))
                    return
                message = subscriber.read()
                if message[:3] != [b"pmessage", b"socket.io#/#*", b"socket.io#/#user:42#"] or \
                        b"\xa4type\xa1T" not in message[3]:  # msgpack: "type": "T"
                    failures.append("the master's subscriber got %r" % (message,))
            finally:
                subscriber.close()

        def requests_through_the_sentinel(failures):
            # A "server" that never answers, subscribed on the master where each mode's requests go: notify finds
            # the master through the sentinel, counts it there and waits for it (issue 16: every mode).
            for mode, subscribe, channel in [("classic", "SUBSCRIBE", "socket.io-request#/#"),
                                             ("sharded", "SSUBSCRIBE", "socket.io#/#"),
                                             ("streams", "SUBSCRIBE", "socket.io#/#")]:
                silent = Resp(master.port, 5)
                try:
                    silent.send(subscribe, channel)
                    silent.read()
                    result = run(notify, ["--redis", url, "--mode", mode, "--user", "42", "--type", "T", "--confirm",
                                          "--timeout", "1s"])
                    expected = b"delivered to 0 sockets (0 of 1 server answered)\n"
                    if result.returncode != 6 or result.stdout != expected:
                        failures.append("%s: exit %d, stdout %r, stderr %r (expected exit 6 and %r)" % (
                            mode, result.returncode, result.stdout, result.stderr, expected))
                finally:
                    silent.close()

        def unknown_master_name(failures):
            result = run(notify, ["--redis", "redis+sentinel://127.0.0.1:%d/nosuch" % sentinel.port,
                                  "--user", "42", "--type", "T"])
            expected = ('notify: error: no sentinel of redis+sentinel://127.0.0.1:%d/nosuch/0 named the master '
                        '"nosuch": 127.0.0.1:%d: unknown master name\n' % (sentinel.port, sentinel.port)).encode()
            if result.returncode != 4 or result.stderr != expected or result.stdout:
                failures.append("exit %d, stdout %r, stderr %r (expected exit 4 and %r)" % (
                    result.returncode, result.stdout, result.stderr, expected))

        return run_checks([delivers_through_the_sentinel, requests_through_the_sentinel, unknown_master_name], lambda check, f: check(f))
    finally:
        if sentinel is not None:
            sentinel.stop()
        master.stop()
        shutil.rmtree(master_dir, ignore_errors=True)
        shutil.rmtree(sentinel_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
