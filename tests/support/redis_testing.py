"""A real redis-server on a free loopback port and a raw RESP2 client, for the Python test drivers (tests/cli,
tests/packaging, the Python package's tests in bindings/python/tests), with what they share: a TLS certificate set
made by openssl, a Redis Cluster of masters, a Sentinel. Only the processes started here are ever stopped."""

import os
import shutil
import socket
import subprocess
import sys
import time

REDIS_START_TIMEOUT_S = 10


def free_port():
    """A loopback port the kernel considers free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Resp:
    """Just enough RESP2 to PING, (P)SUBSCRIBE and read messages. Simple strings and errors come back as bytes."""

    def __init__(self, port, timeout):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self):
        self.sock.close()

    def send(self, *words):
        out = b"*%d\r\n" % len(words)
        for w in words:
            w = w if isinstance(w, bytes) else w.encode()
            out += b"$%d\r\n%s\r\n" % (len(w), w)
        self.sock.sendall(out)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("Redis closed the connection")
        self.buffer += chunk

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, n):
        while len(self.buffer) < n + 2:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-"):
            return rest
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exactly(n)
        if kind == b"*":
            return [self.read() for _ in range(int(rest))]
        raise ValueError("unexpected RESP line %r" % line)


class RedisServer:
    """redis-server on 127.0.0.1:<free port>, no persistence, its output in <workdir>/redis.log.
    start() returns once it answers PING and raises RuntimeError otherwise."""

    def __init__(self, workdir, extra_args=(), config_file=None):
        self.port = free_port()
        self.extra_args = list(extra_args)  # e.g. --tls-port N --tls-cert-file ... (the plain port stays)
        self.config_file = config_file  # given first, as redis-server wants it (a sentinel needs one to rewrite)
        self.workdir = workdir
        self.log_path = os.path.join(workdir, "redis.log")
        self.process = None

    @property
    def url(self):
        return "redis://127.0.0.1:%d" % self.port

    def start(self):
        # free_port() is only free when asked: a test running beside this one may take it before redis-server binds
        # it. Then redis-server exits at once saying so, and another port is tried.
        for _ in range(5):
            try:
                return self._start_once()
            except RuntimeError:
                with open(self.log_path, "rb") as log:
                    if b"Address already in use" not in log.read():
                        raise
                self.port = free_port()
        return self._start_once()

    def _start_once(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                ["redis-server"] + ([self.config_file] if self.config_file else []) +
                ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", self.workdir, "--loglevel", "warning"] + self.extra_args,
                stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + REDIS_START_TIMEOUT_S
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("redis-server exited with %d; see %s" % (self.process.returncode, self.log_path))
            try:
                conn = Resp(self.port, 1)
                try:
                    conn.send("PING")
                    reply = conn.read()
                    # NOAUTH also proves the server is up: it just wants its --requirepass first.
                    if reply == b"PONG" or (isinstance(reply, bytes) and reply.startswith(b"NOAUTH")):
                        return self
                finally:
                    conn.close()
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("redis-server did not answer PING within %ds" % REDIS_START_TIMEOUT_S)
            time.sleep(0.05)

    def stop(self):
        if self.process is not None:
            stop_process(self.process)


def stop_process(process):
    """Ends a child process this test started, by its own handle (PID): SIGTERM, then SIGKILL after 5 s."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def run_notify(notify, args, timeout_s, env=None, unset=("REDIS_URL",)):
    """Runs notify with `args`, no stdin, the environment without `unset` plus `env`; its CompletedProcess."""
    full_env = {k: v for k, v in os.environ.items() if k not in unset}
    full_env.update(env or {})
    return subprocess.run([notify] + list(args), stdin=subprocess.DEVNULL, capture_output=True, env=full_env,
                          timeout=timeout_s)


def notify_from_argv(argv, doc, name):
    """The notify binary a test driver was given (its only argument), or None after saying what is missing."""
    if len(argv) != 2:
        print(doc, file=sys.stderr)
        return None
    if shutil.which("redis-server") is None:
        print("%s: redis-server is not on PATH" % name, file=sys.stderr)
        return None
    return os.path.abspath(argv[1])


def run_checks(checks, call):
    """Runs each check through call(check, failures), printing "ok  " or "FAIL" and its name, then every failure.
    Returns the exit status: 1 if any check failed."""
    failures = []
    for check in checks:
        before = len(failures)
        call(check, failures)
        print("%s %s" % ("ok  " if len(failures) == before else "FAIL", check.__name__))
    for failure in failures:
        print(failure)
    return 1 if failures else 0


def redis_command(port, *words):
    """One command on a fresh connection to 127.0.0.1:port; its reply."""
    conn = Resp(port, 5)
    try:
        conn.send(*words)
        return conn.read()
    finally:
        conn.close()


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certificates(d):
    """In directory d: ca.pem, server.pem/server.key (for localhost and 127.0.0.1, signed by ca), other-ca.pem
    (signed nothing), made with the openssl command."""
    for name in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=sio test %s" % name, "-keyout", name + ".key", "-out", name + ".pem", cwd=d)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=localhost",
            "-keyout", "server.key", "-out", "server.csr", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-extfile", "server.ext", "-out", "server.pem", cwd=d)


def start_cluster(workdirs, nodes):
    """Starts a cluster-enabled redis-server per workdir into `nodes` (each as soon as it runs, so the caller stops
    every node started even when a later one fails), then creates a cluster of masters only."""
    for d in workdirs:
        node = RedisServer(d, ["--cluster-enabled", "yes", "--cluster-node-timeout", "2000",
                               "--cluster-port", str(free_port())])
        nodes.append(node)
        node.start()
    create = subprocess.run(["redis-cli", "--cluster", "create"] +
                            ["127.0.0.1:%d" % n.port for n in nodes] + ["--cluster-replicas", "0", "--cluster-yes"],
                            capture_output=True, timeout=60)
    if create.returncode != 0:
        raise RuntimeError("redis-cli --cluster create failed: %r" % create.stdout)
    deadline = time.monotonic() + 10
    while not all(b"cluster_state:ok" in redis_command(n.port, "CLUSTER", "INFO") for n in nodes):
        if time.monotonic() > deadline:
            raise RuntimeError("the cluster did not reach cluster_state:ok within 10 s")
        time.sleep(0.05)


def start_sentinel(workdir, master_port):
    """redis-server --sentinel monitoring the master as "mymaster" (quorum 1), from a config file it can rewrite."""
    config = os.path.join(workdir, "sentinel.conf")
    with open(config, "w") as f:
        f.write("sentinel monitor mymaster 127.0.0.1 %d 1\n" % master_port)
    return RedisServer(workdir, ["--sentinel"], config_file=config).start()
