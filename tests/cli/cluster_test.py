#!/usr/bin/env python3
"""notify with a redis+cluster:// URL against a real 3-master Redis Cluster (redis-server --cluster-enabled yes,
joined by redis-cli --cluster create) on loopback.

Usage: cluster_test.py NOTIFY_BINARY

1. --mode sharded with one seed: exit 0, quiet, and an SSUBSCRIBE subscriber on the master owning the room's shard
   channel (not the seed) gets the notification.
2. --mode streams --json: the entry is on the master owning the stream, under the id notify printed.
3. Classic mode: exit 0, quiet (no "0 receivers" warning: a PUBLISH's reply counts one node's subscribers), and
   --json says "receivers":null; a subscriber on another node gets it.
4. --confirm on a cluster: exit 2 (usage) and the line saying why requests need one server; so is
   --require-receivers in classic mode, while in sharded mode it works (nobody subscribes: exit 7).
5. No seed answering: exit 4 and the one line naming each seed.
Prints what failed and exits non-zero on any failure.
"""

import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import (RedisServer, Resp, free_port, notify_from_argv, redis_command,  # noqa: E402
                           run_checks, run_notify, start_cluster)

RUN_TIMEOUT_S = 20


def owner_of(nodes, key):
    """The node serving key's slot, from CLUSTER NODES as the first node sees it."""
    slot = redis_command(nodes[0].port, "CLUSTER", "KEYSLOT", key)
    for line in redis_command(nodes[0].port, "CLUSTER", "NODES").decode().splitlines():
        fields = line.split()
        if "master" not in fields[2]:
            continue
        for served in fields[8:]:
            first, _, last = served.partition("-")
            if not served.startswith("[") and int(first) <= slot <= int(last or first):
                port = int(fields[1].split("@")[0].rsplit(":", 1)[1])
                return next(n for n in nodes if n.port == port)
    raise RuntimeError("no master serves slot %d" % slot)


def run(notify, args):
    return run_notify(notify, args, RUN_TIMEOUT_S)


def main():
    notify = notify_from_argv(sys.argv, __doc__, "cluster_test.py")
    if notify is None:
        return 2
    workdirs = [tempfile.mkdtemp(prefix="sio-cli-cluster-") for _ in range(3)]
    nodes = []
    try:
        start_cluster(workdirs, nodes)
        channel = "socket.io#/#user:42#"
        owner = owner_of(nodes, channel)
        seed = next(n for n in nodes if n is not owner)  # the seed must not be the owner: routing is tested
        url = "redis+cluster://127.0.0.1:%d" % seed.port

        def sharded_reaches_the_owner(failures):
            subscriber = Resp(owner.port, 5)
            try:
                subscriber.send("SSUBSCRIBE", channel)
                subscriber.read()
                result = run(notify, ["--redis", url, "--mode", "sharded", "--user", "42", "--type", "T"])
                if result.returncode != 0 or result.stdout or result.stderr:
                    failures.append("exit %d, stdout %r, stderr %r" % (result.returncode, result.stdout,
                                                                       result.stderr))
                    return
                message = subscriber.read()
                if message[:2] != [b"smessage", channel.encode()] or b'"type":"T"' not in message[2]:
                    failures.append("the owner's subscriber got %r" % (message,))
            finally:
                subscriber.close()

        def streams_entry_on_the_owner(failures):
            result = run(notify, ["--redis", url, "--mode", "streams", "--user", "42", "--type", "T", "--json"])
            if result.returncode != 0 or result.stderr:
                failures.append("exit %d, stderr %r" % (result.returncode, result.stderr))
                return
            offset = json.loads(result.stdout)["offset"]
            stream_owner = owner_of(nodes, "socket.io")
            entry = redis_command(stream_owner.port, "XRANGE", "socket.io", offset, offset)
            if len(entry) != 1 or b'"type":"T"' not in entry[0][1][-1]:
                failures.append("XRANGE %s on the stream's master: %r" % (offset, entry))

        def classic_through_any_node(failures):
            other = next(n for n in nodes if n is not seed)
            subscriber = Resp(other.port, 5)
            try:
                subscriber.send("PSUBSCRIBE", "socket.io#/#*")
                subscriber.read()
                quiet = run(notify, ["--redis", url, "--user", "42", "--type", "T"])
                if quiet.returncode != 0 or quiet.stdout or quiet.stderr:
                    failures.append("quiet: exit %d, stdout %r, stderr %r" % (quiet.returncode, quiet.stdout,
                                                                              quiet.stderr))
                as_json = run(notify, ["--redis", url, "--user", "42", "--type", "T", "--json"])
                if as_json.returncode != 0 or json.loads(as_json.stdout).get("receivers", 0) is not None:
                    failures.append("--json: exit %d, stdout %r" % (as_json.returncode, as_json.stdout))
                for _ in range(2):
                    message = subscriber.read()
                    if message[:3] != [b"pmessage", b"socket.io#/#*", channel.encode()]:
                        failures.append("the other node's subscriber got %r" % (message,))
            finally:
                subscriber.close()

        def requests_and_require_receivers(failures):
            # Requests count the servers over every node: none here (tests/gateway/e2e/confirm-cluster has some).
            result = run(notify, ["--redis", url, "--user", "42", "--type", "T", "--confirm"])
            expected = b"delivered to 0 sockets (0 of 0 servers answered)\n"
            if result.returncode != 9 or result.stdout != expected:
                failures.append("--confirm: exit %d, stdout %r, stderr %r (expected exit 9 and %r)" % (
                    result.returncode, result.stdout, result.stderr, expected))
            classic = run(notify, ["--redis", url, "--user", "42", "--type", "T", "--require-receivers"])
            if classic.returncode != 2 or not classic.stderr.startswith(
                    b"notify: error: --require-receivers cannot be used with a Redis Cluster in --mode classic"):
                failures.append("--require-receivers: exit %d, stderr %r" % (classic.returncode, classic.stderr))
            sharded = run(notify, ["--redis", url, "--mode", "sharded", "--user", "42", "--type", "T",
                                   "--require-receivers"])
            if sharded.returncode != 7:  # allowed in sharded mode, where SPUBLISH counts the owner's subscribers
                failures.append("sharded --require-receivers: exit %d, stderr %r" % (sharded.returncode,
                                                                                   sharded.stderr))

        def no_seed_answers(failures):
            closed = [free_port(), free_port()]
            dead = "redis+cluster://127.0.0.1:%d,127.0.0.1:%d" % tuple(closed)
            result = run(notify, ["--redis", dead, "--timeout", "500ms", "--user", "42", "--type", "T"])
            pattern = (r"notify: error: cannot load the slot map of the Redis Cluster %s: 127\.0\.0\.1:%d: cannot "
                       r"connect to Redis at redis://127\.0\.0\.1:%d/0: Connection refused; 127\.0\.0\.1:%d: cannot "
                       r"connect to Redis at redis://127\.0\.0\.1:%d/0: Connection refused\n" %
                       (re.escape(dead), closed[0], closed[0], closed[1], closed[1]))
            if result.returncode != 4 or not re.fullmatch(pattern.encode(), result.stderr):
                failures.append("exit %d, stderr %r" % (result.returncode, result.stderr))

        return run_checks([sharded_reaches_the_owner, streams_entry_on_the_owner, classic_through_any_node,
                           requests_and_require_receivers, no_seed_answers], lambda check, f: check(f))
    finally:
        for node in nodes:
            node.stop()
        for d in workdirs:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
