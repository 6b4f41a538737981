#!/usr/bin/env python3
"""Sends one notification to users, with the sio Python package (bindings/python: `pip install ./bindings/python`).

    send_notification.py --user 42 --type ORDER_UPDATED --payload '{"orderId": 7}'
    send_notification.py --user 42 --user 7 --type REPORT_READY --attach report.pdf --redis redis://10.0.0.5:6379

Each --user ID gets the event "notification" in room "user:ID", with one argument
    {"type": TYPE, "payload": PAYLOAD, "timestamp": MS}   (payload left out when not given)
and, with --attach FILE, the file's bytes as a second argument (a Buffer / ArrayBuffer on the receiving side).
The library: --library PATH, else $SIO_LIBRARY, else the dynamic linker's search (find_library("sio-emitter")).

Exit status, as notify's: 0 sent, 2 usage, 3 invalid data, 4 Redis unreachable, 5 Redis refused, 6 timeout,
1 anything else (library not found, unreadable file). A --redis URL that does not parse is a usage error (2).
"""

import argparse
import json
import os
import sys
import time

import sio

EXIT_BY_STATUS = {
    sio.Status.CONNECTION: 4,
    sio.Status.AUTH: 5,
    sio.Status.REPLY: 5,
    sio.Status.PROTOCOL: 5,
    sio.Status.TIMEOUT: 6,
}


def json_value(text):
    try:
        return json.loads(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not JSON: {e}") from None


def parse_args(argv):
    p = argparse.ArgumentParser(description="Send a Socket.IO notification to users through Redis.")
    p.add_argument("--user", action="append", required=True, metavar="ID", help="target user (repeatable)")
    p.add_argument("--type", required=True, help="the notification type, e.g. ORDER_UPDATED")
    p.add_argument("--payload", type=json_value, metavar="JSON", help="the notification payload (JSON)")
    p.add_argument("--attach", metavar="FILE", help="send this file's bytes as a second, binary argument")
    p.add_argument("--event", default="notification", help="event name (default: notification)")
    p.add_argument("--nsp", default="/", help="namespace (default: /)")
    p.add_argument("--redis", default=os.environ.get("REDIS_URL"), metavar="URL",
                   help="Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)")
    p.add_argument("--key", default=os.environ.get("SIO_KEY"), help="the servers' adapter key (default: socket.io)")
    p.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                   help="how long to wait for Redis to connect and to answer each publish (default: 5)")
    p.add_argument("--library", metavar="PATH",
                   help="path of libsio-emitter.so (default: $SIO_LIBRARY, else where the dynamic linker looks)")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    notification = {"type": args.type}
    if args.payload is not None:
        notification["payload"] = args.payload
    notification["timestamp"] = int(time.time() * 1000)
    extra = []
    if args.attach:
        try:
            with open(args.attach, "rb") as f:
                extra.append(f.read())
        except OSError as e:
            print(f"send_notification: cannot read {args.attach}: {e.strerror}", file=sys.stderr)
            return 1

    try:
        sio.load_library(args.library)
    except sio.LibraryError as e:
        print(f"send_notification: {e}; or give --library PATH", file=sys.stderr)
        return 1
    try:
        with sio.Emitter(args.redis, key=args.key, timeout=args.timeout) as io:
            for user in args.user:
                room = f"user:{user}"
                # emit_sync waits for Redis' answer, to report the receivers; emit() would only queue it.
                receivers = io.of(args.nsp).to(room).emit_sync(args.event, notification, *extra).receivers
                print(f"sent {args.type} to {room}: {receivers} receiver(s)")
                if receivers == 0:
                    print(f"send_notification: warning: 0 receivers for {room}: no Socket.IO server listens on "
                          f"this key and namespace", file=sys.stderr)
    except sio.DataError as e:
        if e.status == sio.Status.INVALID_URL:
            print(f"send_notification: {e}", file=sys.stderr)
            return 2
        print(f"send_notification: invalid data, nothing published: {e}", file=sys.stderr)
        return 3
    except sio.RedisError as e:
        print(f"send_notification: {e}", file=sys.stderr)
        return EXIT_BY_STATUS.get(e.status, 1)
    except (sio.SioError, OSError) as e:
        print(f"send_notification: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
