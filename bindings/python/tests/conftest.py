"""Fixtures of the Python package's tests: a real redis-server on a free loopback port (tests/support/
redis_testing.py, shared with the other Python drivers), real Socket.IO servers on the Redis adapters
(tests/interop/server.mjs) and real socket.io-client users (tests/interop/users.mjs), all started here and stopped
by their own handles. The package under test is the one installed in the running interpreter (scripts: a fresh
virtualenv, see tests/python/run_package_tests.sh); libsio-emitter is found as a user's would be ($SIO_LIBRARY)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
INTEROP = REPO / "tests" / "interop"
sys.path.insert(0, str(REPO / "tests" / "support"))

from redis_testing import RedisServer, Resp, stop_process  # noqa: E402

NODE = os.environ.get("SIO_NODE", "node")
# Sanitizer builds preload their runtimes into this Python process (run_package_tests.sh); Node and redis-server,
# started from here, must not get them. Python children of the tests get them back (python_env()).
PYTHON_PRELOAD = os.environ.pop("LD_PRELOAD", None)


def python_env(**extra: str) -> Dict[str, str]:
    """The environment for a Python child process of a test: this one's, the preload back, `extra` on top."""
    env = dict(os.environ)
    if PYTHON_PRELOAD:
        env["LD_PRELOAD"] = PYTHON_PRELOAD
    env.update(extra)
    return env


class NodeProcess:
    """A Node child process speaking one JSON object per stdout line; lines are collected by a reader thread."""

    def __init__(self, args: List[str], env: Optional[Dict[str, str]] = None, stdin: bool = False):
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen([NODE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.PIPE if stdin else subprocess.DEVNULL, text=True, env=full_env,
                                     cwd=str(INTEROP))
        self.lines: List[Dict[str, Any]] = []
        self._new = threading.Condition()
        self.stderr = ""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                obj = json.loads(line)
            except ValueError:
                obj = {"text": line.rstrip("\n")}
            with self._new:
                self.lines.append(obj)
                self._new.notify_all()

    def _read_err(self) -> None:
        for line in self.proc.stderr:
            self.stderr += line

    def wait_for(self, pred: Callable[[Dict[str, Any]], bool], timeout: float = 10, what: str = "a line",
                 count: int = 1) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self._new:
            while True:
                found = [x for x in self.lines if pred(x)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None and not left > 0:
                    raise AssertionError(f"no {what} within {timeout} s (exit {self.proc.poll()}); got "
                                         f"{self.lines[-5:]}; stderr: {self.stderr[-2000:]}")
                self._new.wait(min(left, 0.2))

    def seen(self, pred: Callable[[Dict[str, Any]], bool]) -> List[Dict[str, Any]]:
        with self._new:
            return [x for x in self.lines if pred(x)]

    def send(self, obj: Dict[str, Any]) -> None:
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        stop_process(self.proc)


class Fleet:
    """Node Socket.IO servers A and B on one Redis with one adapter, and users: 42 and 42@/admin on A, 7 on B."""

    def __init__(self, redis_url: str, mode: str, users_a=("42", "42@/admin"), users_b=("7",)):
        env = {"SIO_ADAPTER": mode, "SIO_SUBSCRIPTION_MODE": "static"}
        self.procs: List[NodeProcess] = []
        self.servers = []
        try:
            for name in ("A", "B"):
                server = NodeProcess([str(INTEROP / "server.mjs"), redis_url, name], env=env, stdin=True)
                self.procs.append(server)
                ready = server.wait_for(lambda x: x.get("ready"), 20, f"server {name} ready")[0]
                self.servers.append((server, ready["port"]))
            self.users = {}
            for (server, port), specs in zip(self.servers, (users_a, users_b)):
                users = NodeProcess([str(INTEROP / "users.mjs"), str(port), *specs])
                self.procs.append(users)
                users.wait_for(lambda x: x.get("ready"), 20, "users ready")
                for spec in specs:
                    self.users[spec] = users
        except BaseException:
            self.stop()
            raise

    def received(self, spec: str, event: Optional[str] = None) -> List[Dict[str, Any]]:
        user, _, nsp = spec.partition("@")
        nsp = nsp or "/"
        return self.users[spec].seen(lambda x: x.get("user") == user and x.get("nsp") == nsp and "event" in x
                                     and (event is None or x["event"] == event))

    def wait_received(self, spec: str, event: str, count: int = 1, timeout: float = 10) -> List[Dict[str, Any]]:
        user, _, nsp = spec.partition("@")
        nsp = nsp or "/"
        return self.users[spec].wait_for(lambda x: x.get("user") == user and x.get("nsp") == nsp
                                         and x.get("event") == event, timeout, f"{event!r} at user {spec}", count)

    def stop(self) -> None:
        for p in reversed(self.procs):
            p.stop()


@pytest.fixture(scope="module")
def redis(tmp_path_factory):
    server = RedisServer(str(tmp_path_factory.mktemp("redis"))).start()
    yield server
    server.stop()


def quiet(seconds: float = 0.3) -> None:
    """Lets stray deliveries arrive before a test checks that nothing more came."""
    time.sleep(seconds)


def bin_arg(data: bytes) -> Dict[str, str]:
    """How users.mjs reports a Buffer it received."""
    return {"$bin": data.hex()}
