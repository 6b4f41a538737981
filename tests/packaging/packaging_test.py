#!/usr/bin/env python3
"""Packaging tests of sio: what `cmake --install` and `cpack -G DEB` produce, used the way applications use it.

Usage: packaging_test.py GROUP --build-dir DIR --source-dir DIR --version X.Y.Z --libdir LIBDIR
                         [--gateway [--demo-client-js ON|OFF]]

--gateway: sio-gateway was built, so its files must be installed (with --demo-client-js ON also the demo page's
socket.io-client bundle, which the build found in tests/interop/node_modules).

GROUP is one of
  install    install into a temporary prefix, print the tree, check the files, the exported symbols of
             libsio-emitter.so (only sio_* and sio::), its SONAME, notify --version, pkg-config and the
             paths in the installed sio-gateway.service
  consumers  install into a temporary prefix, then build five consumer projects out of tree against it
             (tests/packaging/consumers: find_package C++, find_package C-only, pkg-config C, add_subdirectory,
             static) and run each against a real redis-server: the §9.1 broadcast must arrive byte for byte
  deb        cpack -G DEB, inspect the package (files, Depends, maintainer scripts), extract it (dpkg-deb -x),
             check sio-gateway.service with systemd-analyze verify, start the extracted sio-gateway as the unit's
             ExecStart and EnvironmentFile say, and check that a real socket.io-client receives a notification
             published with the extracted notify, and the demo bundle from the extracted share/; with
             SIO_TEST_DEB_INSTALL=1 (as root) also apt-get install it, run /usr/bin/notify --version, build and run
             consumer (a) against /usr, check the environment file postinst made, start the installed unit (with
             systemctl when systemd runs, else its ExecStart line) for the same client check, and purge it

Every step prints what it does; a failed step is named. Ends with "N passed, M failed"; exits 1 on a failure.
Only loopback; every process started here (redis-server, sio-gateway, node) is stopped by its PID.
"""

import argparse
import json
import os
import queue
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import RedisServer, Resp, free_port  # noqa: E402

STEP_TIMEOUT_S = 600  # the add_subdirectory consumer compiles all of sio
SUBSCRIBER_TIMEOUT_S = 10

# PROTOCOL.md §9.1: to("user:42").emit("notification", {type:"ORDER_UPDATED", payload:{id:1}, timestamp:1700000000000})
CHANNEL_9_1 = "socket.io#/#user:42#"
PAYLOAD_9_1 = (
    "93a7656d697474657283a47479706502a46461746192ac6e6f74696669636174696f6e83a474797065ad4f524445525f5550444154"
    "4544a77061796c6f616481a2696401a974696d657374616d70cf0000018bcfe56800a36e7370a12f83a5726f6f6d7391a7757365723a"
    "3432a5666c61677380a665786365707490"
)
assert len(bytes.fromhex(PAYLOAD_9_1)) == 124


class StepFailed(Exception):
    pass


class Runner:
    def __init__(self):
        self.passed = []
        self.failed = []

    def step(self, name, fn, *args):
        print(f"\n=== step: {name}", flush=True)
        try:
            result = fn(*args)
        except Exception as e:  # a failure of any kind fails this step only
            detail = str(e) if isinstance(e, (StepFailed, RuntimeError, subprocess.SubprocessError)) else traceback.format_exc()
            print(f"--- FAILED: {name}: {detail}", flush=True)
            self.failed.append(name)
            return None
        print(f"--- ok: {name}", flush=True)
        self.passed.append(name)
        return True if result is None else result  # None means the step failed

    def finish(self):
        print()
        for name in self.failed:
            print(f"failed step: {name}")
        print(f"{len(self.passed)} passed, {len(self.failed)} failed", flush=True)
        return 1 if self.failed else 0


def run(cmd, env=None, cwd=None, timeout=STEP_TIMEOUT_S, check=True, quiet=False):
    """Runs cmd (a list, or a string for sh -c), prints it and its output; returns the CompletedProcess."""
    shown = cmd if isinstance(cmd, str) else " ".join(cmd)
    print(f"$ {shown}", flush=True)
    full_env = dict(os.environ)
    full_env.update(env or {})
    p = subprocess.run(cmd, shell=isinstance(cmd, str), env=full_env, cwd=cwd, timeout=timeout,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    if not quiet or p.returncode != 0:
        out = p.stdout.rstrip()
        if out:
            print(out, flush=True)
    if check and p.returncode != 0:
        raise StepFailed(f"`{shown}` exited with {p.returncode}")
    return p


def expect(condition, message):
    if not condition:
        raise StepFailed(message)


# ---- redis-server and a raw subscriber ------------------------------------------------------------------------

def start_redis(redis):
    redis.start()
    print(f"redis-server pid {redis.process.pid} on 127.0.0.1:{redis.port}", flush=True)


def run_consumer(redis, binary, env=None, expect_dry_run_hex=True):
    """Runs a consumer binary while a raw subscriber listens on the §9.1 channel; checks the published bytes."""
    sub = Resp(redis.port, SUBSCRIBER_TIMEOUT_S)
    try:
        sub.send("SUBSCRIBE", CHANNEL_9_1)
        expect(sub.read() == [b"subscribe", CHANNEL_9_1.encode(), 1], "SUBSCRIBE was not confirmed")
        p = run([binary, redis.url], env=env, timeout=60)
        if expect_dry_run_hex:
            expect(f"dry-run payload: {PAYLOAD_9_1}\n" in p.stdout, "the dry-run payload is not the §9.1 vector")
            expect("caught: sio::data_error" in p.stdout, "the sio::data_error was not caught by type")
        else:
            expect("dry-run receivers: -1\n" in p.stdout, "the C dry run did not report receivers -1")
            expect("refused: invalid JSON" in p.stdout, "bad JSON was not refused with SIO_E_INVALID_JSON")
        expect("receivers: 1\n" in p.stdout, "the publish did not report 1 receiver (our subscriber)")
        message = sub.read()
        expect(isinstance(message, list) and len(message) == 3 and message[0] == b"message",
               f"unexpected reply on the subscription: {message!r}")
        expect(message[1] == CHANNEL_9_1.encode(), f"published on {message[1]!r}, not {CHANNEL_9_1}")
        got = message[2].hex()
        print(f"subscriber received {len(message[2])} bytes on {CHANNEL_9_1}: {got}", flush=True)
        expect(got == PAYLOAD_9_1, "the received payload is not the §9.1 vector")
    finally:
        sub.close()


# ---- the install tree -------------------------------------------------------------------------------------------

def install_into(build_dir, prefix):
    run(["cmake", "--install", build_dir, "--prefix", prefix])


def print_tree(root):
    lines = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path):
                lines.append(f"{rel} -> {os.readlink(path)}")
            else:
                lines.append(f"{rel}  ({os.path.getsize(path)} bytes)")
    print("\n".join(lines), flush=True)
    return lines


def soversion(version):
    """The SONAME's version: MAJOR.MINOR before 1.0 (a minor release may break the ABI then), MAJOR after."""
    major, minor = version.split(".")[:2]
    return f"{major}.{minor}" if major == "0" else major


def gateway_files(args):
    """sio-gateway's installed files, relative to the prefix: none when it was not built."""
    if not args.gateway:
        return []
    files = ["bin/sio-gateway", "lib/systemd/system/sio-gateway.service", "share/sio-gateway/sio-gateway.env.example"]
    if args.demo_client_js == "ON":
        files += ["share/sio-gateway/socket.io.min.js", "share/sio-gateway/socket.io-client.LICENSE"]
    return files


def expected_files(libdir, version, args):
    so = soversion(version)
    return gateway_files(args) + [
        "bin/notify",
        "include/sio/backoff.hpp", "include/sio/emitter.h", "include/sio/emitter.hpp", "include/sio/error.hpp", "include/sio/export.hpp",
        "include/sio/options.hpp", "include/sio/outcome.hpp", "include/sio/value.hpp", "include/sio/version.h", "include/sio/version.hpp",
        f"{libdir}/libsio-emitter.so", f"{libdir}/libsio-emitter.so.{so}", f"{libdir}/libsio-emitter.so.{version}",
        f"{libdir}/libsio-emitter.a",
        f"{libdir}/cmake/sio/sioConfig.cmake", f"{libdir}/cmake/sio/sioConfigVersion.cmake",
        f"{libdir}/cmake/sio/sioTargets.cmake", f"{libdir}/cmake/sio/sioStaticTargets.cmake",
        f"{libdir}/pkgconfig/sio-emitter.pc",
    ]


def check_files(prefix, libdir, version, args):
    missing = [f for f in expected_files(libdir, version, args) if not os.path.lexists(os.path.join(prefix, f))]
    expect(not missing, f"missing from the install tree: {', '.join(missing)}")
    so = soversion(version)
    lib = os.path.join(prefix, libdir)
    expect(os.readlink(os.path.join(lib, "libsio-emitter.so")) == f"libsio-emitter.so.{so}",
           "libsio-emitter.so does not link to the SONAME")
    expect(os.readlink(os.path.join(lib, f"libsio-emitter.so.{so}")) == f"libsio-emitter.so.{version}",
           "the SONAME link does not point at the versioned file")
    with open(os.path.join(prefix, "include/sio/version.h")) as f:
        text = f.read()
    expect(f'#define SIO_VERSION_STRING "{version}"' in text, "version.h does not carry the project version")
    print(f"all {len(expected_files(libdir, version, args))} expected files present; version.h says {version}")


def check_symbols(prefix, libdir):
    so = os.path.join(prefix, libdir, "libsio-emitter.so")
    p = run(["nm", "-D", "--defined-only", so], quiet=True)
    names = [line.split()[-1] for line in p.stdout.splitlines() if line.strip()]
    expect(names, "nm found no exported symbols")
    filt = subprocess.run(["c++filt"], input="\n".join(names), stdout=subprocess.PIPE, text=True, timeout=60,
                          check=True)
    pretty = filt.stdout.splitlines()
    expect(len(pretty) == len(names), "c++filt output does not match nm's")
    c_api, cxx_api, bad = [], [], []
    for mangled, name in zip(names, pretty):
        # C++ entities: functions and data in sio::, and the vtables/typeinfo of sio's exception classes.
        entity = re.sub(r"^(vtable|typeinfo|typeinfo name|VTT|construction vtable) for ", "", name)
        if re.fullmatch(r"sio_\w+", mangled):
            c_api.append(name)
        elif entity.startswith("sio::") and not entity.startswith("sio::detail"):
            cxx_api.append(name)
        else:
            bad.append(f"{mangled}  ({name})")
    print(f"exported: {len(c_api)} C API symbols, {len(cxx_api)} C++ API symbols")
    for name in sorted(c_api) + sorted(cxx_api):
        print(f"  {name}")
    expect(not bad, "exported symbols outside sio_* / sio:: (or in sio::detail):\n  " + "\n  ".join(bad))
    expect(c_api, "no C API symbol (sio_*) exported: the C API objects are missing from libsio-emitter.so")
    for required in ["sio_emitter_new", "sio_emit_json", "sio_version"]:
        expect(required in c_api, f"{required} is not exported")
    for required in ["typeinfo for sio::data_error", "typeinfo for sio::redis_error", "sio::version()"]:
        expect(any(n == required for n in cxx_api), f"{required} is not exported")


def check_soname(prefix, libdir, version):
    so = os.path.join(prefix, libdir, "libsio-emitter.so")
    p = run(["objdump", "-p", so], quiet=True)
    dynamic = [line.strip() for line in p.stdout.splitlines() if re.match(r"\s+(SONAME|NEEDED|RUNPATH|RPATH)\s", line)]
    print("\n".join(dynamic))
    soname = f"libsio-emitter.so.{soversion(version)}"
    expect(f"SONAME               {soname}" in p.stdout or any(d.split() == ["SONAME", soname] for d in dynamic),
           f"SONAME is not {soname}")
    expect(not any(d.startswith(("RPATH", "RUNPATH")) for d in dynamic), "the installed library has an RPATH")


def check_notify(prefix, version):
    # No LD_LIBRARY_PATH: notify finds the library through its $ORIGIN-relative RUNPATH.
    env = {"LD_LIBRARY_PATH": ""}
    p = run([os.path.join(prefix, "bin/notify"), "--version"], env=env)
    expect(version in p.stdout, f"notify --version does not say {version}")
    p = run(["ldd", os.path.join(prefix, "bin/notify")], env=env, quiet=True)
    line = next((l.strip() for l in p.stdout.splitlines() if "libsio-emitter" in l), "")
    print(line)
    expect(os.path.realpath(prefix) in line, "notify does not load the installed libsio-emitter.so")


def check_pkgconfig(prefix, libdir, version):
    env = {"PKG_CONFIG_PATH": os.path.join(prefix, libdir, "pkgconfig")}
    p = run(["pkg-config", "--modversion", "sio-emitter"], env=env)
    expect(p.stdout.strip() == version, f"pkg-config --modversion is not {version}")
    p = run(["pkg-config", "--cflags", "--libs", "sio-emitter"], env=env)
    expect("-lsio-emitter" in p.stdout, "pkg-config --libs lacks -lsio-emitter")
    p = run(["pkg-config", "--static", "--libs", "sio-emitter"], env=env)
    expect("-lhiredis" in p.stdout and "-lfmt" in p.stdout, "pkg-config --static lacks hiredis or fmt")
    p = run(["pkg-config", "--variable=includedir", "sio-emitter"], env=env)
    expect(os.path.realpath(p.stdout.strip()) == os.path.realpath(os.path.join(prefix, "include")),
           "includedir does not resolve to the prefix")


# ---- consumers ----------------------------------------------------------------------------------------------------

def cmake_consumer(source_dir, build_dir, sio_prefix, redis, c_only=False, static=False):
    cache_args = [] if sio_prefix == "/usr" else [f"-DCMAKE_PREFIX_PATH={sio_prefix}"]
    run(["cmake", "-S", source_dir, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"] + cache_args)
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        cache = f.read()
    sio_dir = re.search(r"^sio_DIR:PATH=(.*)$", cache, re.M)
    print(f"sio_DIR = {sio_dir.group(1) if sio_dir else '(none)'}")
    expect(sio_dir and os.path.realpath(sio_dir.group(1)).startswith(os.path.realpath(sio_prefix) + "/"),
           f"find_package(sio) did not take the package installed under {sio_prefix}")
    run(["cmake", "--build", build_dir, "--target", "consumer"])
    binary = os.path.join(build_dir, "consumer")
    if c_only:
        expect(not re.search(r"^CMAKE_CXX_COMPILER:", cache, re.M), "the C-only consumer enabled a C++ compiler")
        print("no C++ compiler configured in the consumer (CMakeCache.txt has no CMAKE_CXX_COMPILER)")
    needed = [l.split()[1] for l in run(["objdump", "-p", binary], quiet=True).stdout.splitlines()
              if l.strip().startswith("NEEDED")]
    print("NEEDED: " + ", ".join(needed))
    if static:
        expect(not any("sio-emitter" in n for n in needed), "the static consumer still needs libsio-emitter.so")
    else:
        expect(any(n.startswith("libsio-emitter.so.") for n in needed), "the consumer does not need libsio-emitter.so")
        line = next((l.strip() for l in run(["ldd", binary], quiet=True).stdout.splitlines() if "libsio-emitter" in l),
                    "")
        print(line)
        if sio_prefix != "/usr":  # under /usr the loader may name it /lib/... (merged /usr)
            expect(os.path.realpath(sio_prefix) in line, f"the consumer does not load the library of {sio_prefix}")
    run_consumer(redis, binary, expect_dry_run_hex=not c_only)


def pkgconfig_consumer(source_dir, build_dir, prefix, libdir, redis):
    os.makedirs(build_dir, exist_ok=True)
    binary = os.path.join(build_dir, "consumer")
    env = {"PKG_CONFIG_PATH": os.path.join(prefix, libdir, "pkgconfig")}
    run([os.path.join(source_dir, "build.sh"), binary], env=env)
    # A plain cc build has no RPATH: the loader finds the library through LD_LIBRARY_PATH.
    env["LD_LIBRARY_PATH"] = os.path.join(prefix, libdir)
    line = next((l.strip() for l in run(["ldd", binary], env=env, quiet=True).stdout.splitlines()
                 if "libsio-emitter" in l), "")
    print(line)
    expect(os.path.realpath(prefix) in line, "the pkg-config consumer does not load the installed library")
    run_consumer(redis, binary, env=env, expect_dry_run_hex=False)


def subdir_consumer(source_dir, build_dir, sio_source, redis):
    run(["cmake", "-S", source_dir, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
         f"-DSIO_SOURCE_DIR={sio_source}"])
    with open(os.path.join(build_dir, "build.ninja")) as f:
        ninja = f.read()
    for target in ["sio-unit-tests", "sio-integration-tests", "sio-example-order-service"]:
        expect(target not in ninja, f"the parent project builds sio's {target}")
    expect(not os.path.exists(os.path.join(build_dir, "sio", "cmake_install.cmake")) or
           "sioTargets" not in open(os.path.join(build_dir, "sio", "cmake_install.cmake")).read(),
           "sio generated install rules inside the parent project")
    print("sio's tests, examples and install rules are off in the parent project")
    run(["cmake", "--build", build_dir, "--target", "consumer"])
    run_consumer(redis, os.path.join(build_dir, "consumer"))


# ---- sio-gateway as its systemd unit runs it -------------------------------------------------------------------

UNIT = "lib/systemd/system/sio-gateway.service"
GATEWAY_START_TIMEOUT_S = 20
GATEWAY_STOP_TIMEOUT_S = 10
CLIENT_TIMEOUT_S = 20
USER_ID = "42"
# What `notify --user 42 --type ORDER_UPDATED --payload '{"orderId":7}' --timestamp 1700000000000` sends.
EXPECTED_EVENT = {"event": "notification",
                  "args": [{"type": "ORDER_UPDATED", "payload": {"orderId": 7}, "timestamp": 1700000000000}]}


def read_unit(path):
    """The [Service] settings of a unit file, each key with its values in order (as systemd reads them: comments
    start with # or ;, later sections do not matter here)."""
    service, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line
                continue
            key, _, value = line.partition("=")
            if section == "[Service]":
                service.setdefault(key.strip(), []).append(value.strip())
    return service


def read_env_file(path):
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments, blank lines, quotes)."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;" or "=" not in line:
                continue
            key, _, value = line.partition("=")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            env[key.strip()] = value
    return env


def unit_environment(service, root, extra_files=()):
    """The environment systemd gives ExecStart: every EnvironmentFile= (a leading - means optional), then
    `extra_files` (a drop-in's, which override), each absolute path read under `root`."""
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    files = [(e, root + e.lstrip("-")) for e in service.get("EnvironmentFile", [])] + [(e, e) for e in extra_files]
    for entry, path in files:
        optional = entry.startswith("-")
        if optional and not os.path.exists(path):
            continue
        expect(os.path.isfile(path), f"EnvironmentFile {entry}: no file {path}")
        env.update(read_env_file(path))
    return env


def unit_command(service, env, root):
    """ExecStart= as systemd expands it: a lone $VAR becomes its words, ${VAR} one word; the executable's absolute
    path is read under `root`."""
    lines = service.get("ExecStart", [])
    expect(len(lines) == 1, f"the unit has {len(lines)} ExecStart= lines, expected 1")
    words = shlex.split(lines[0])
    exe = words[0].lstrip("-@:+!")
    expect(os.path.isabs(exe), f"ExecStart {exe} is not an absolute path")
    argv = [root + exe]
    for word in words[1:]:
        lone = re.fullmatch(r"\$(\w+)", word)
        if lone:
            argv += env.get(lone.group(1), "").split()
        else:
            argv.append(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), word))
    expect(os.access(argv[0], os.X_OK), f"ExecStart names {exe}, but {argv[0]} is not an executable file")
    return argv


def env_file_from_template(template, path, values):
    """Writes `path` (mode 0600) from the shipped template with `values` set, as postinst does with the secret."""
    with open(template) as f:
        lines = f.read().splitlines()
    done = set()
    for i, line in enumerate(lines):
        key = line.partition("=")[0].strip()
        if key in values and not line.startswith("#"):
            lines[i] = f"{key}={values[key]}"
            done.add(key)
    lines += [f"{k}={v}" for k, v in values.items() if k not in done]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(lines) + "\n")


def check_unit_paths(unit_path, exe, env_file):
    service = read_unit(unit_path)
    print(f"{unit_path}: ExecStart={service.get('ExecStart')} EnvironmentFile={service.get('EnvironmentFile')} "
          f"LimitNOFILE={service.get('LimitNOFILE')}")
    expect(service.get("ExecStart", [""])[0].split()[0] == exe, f"ExecStart does not start {exe}")
    expect(service.get("EnvironmentFile") == [env_file], f"EnvironmentFile is not {env_file}")
    nofile = int(service.get("LimitNOFILE", ["0"])[0])
    # Without --max-connections the gateway holds what the limit allows (less 64 it keeps): README promises 65472.
    expect(nofile - 64 == 65472, f"LimitNOFILE={nofile}: README says the service holds 65472 connections")


def systemd_analyze_verify(root, unit_rel, work_dir):
    """systemd-analyze verify on the unit under `root`: every directive must parse (a bad value is only a warning
    there, so any output fails) and ExecStart must be an executable. verify --root=DIR would want a whole system in
    DIR (sysinit.target, ...), so a copy whose ExecStart points under `root` is verified instead."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        print("systemd-analyze is not installed (package systemd): unit not verified")
        return
    with open(os.path.join(root, unit_rel)) as f:
        text = f.read()
    expect(re.search(r"^ExecStart=/", text, re.M), "ExecStart= is not an absolute path")
    os.makedirs(work_dir, exist_ok=True)
    copy = os.path.join(work_dir, os.path.basename(unit_rel))
    with open(copy, "w") as f:
        f.write(re.sub(r"^ExecStart=/", f"ExecStart={root}/", text, flags=re.M))
    p = run([tool, "verify", copy], check=False)
    expect(p.returncode == 0 and not p.stdout.strip(), "systemd-analyze verify reported problems with the unit")
    print("systemd-analyze verify: no problems")


class Lines:
    """Collects a child's output lines on a thread, so that waiting for one is bounded."""

    def __init__(self, stream):
        self.lines = []
        self.queue = queue.Queue()
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.rstrip("\n"))
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def wait_for(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            expect(left > 0, f"timed out after {timeout} s waiting for {what}")
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                continue
            expect(line is not None, f"the output ended before {what}")
            if predicate(line):
                return line


def json_line(line):
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def stop_process(proc, name):
    """SIGTERM, then SIGKILL after a bounded wait, by PID; returns the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=GATEWAY_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print(f"{name} (pid {proc.pid}) did not stop within {GATEWAY_STOP_TIMEOUT_S} s: SIGKILL", flush=True)
            proc.kill()
            proc.wait(timeout=GATEWAY_STOP_TIMEOUT_S)
    return proc.returncode


class UnitGateway:
    """sio-gateway started the way its unit says, without systemd: ExecStart expanded with the unit's
    EnvironmentFile(s) (plus an override file, as a drop-in would add), paths under `root`."""

    def __init__(self, unit_path, root, override_env_file=None):
        self.service = read_unit(unit_path)
        self.root = root
        self.env = unit_environment(self.service, root, [override_env_file] if override_env_file else [])
        self.argv = unit_command(self.service, self.env, root)
        self.proc = None
        self.logs = None
        self.port = None

    def start(self):
        shown = " ".join(f"{k}={'***' if 'SECRET' in k else v}" for k, v in sorted(self.env.items()) if k != "PATH")
        print(f"$ env -i {shown} {' '.join(self.argv)}", flush=True)
        self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, errors="replace")
        print(f"sio-gateway pid {self.proc.pid}", flush=True)
        self.logs = Lines(self.proc.stderr)
        try:
            line = self.logs.wait_for(lambda l: (json_line(l) or {}).get("msg") == "listening",
                                      GATEWAY_START_TIMEOUT_S, 'sio-gateway to log "listening"')
        except StepFailed as e:
            print("\n".join(self.logs.lines[-20:]), flush=True)
            try:
                code = self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                raise e from None
            raise StepFailed(f"sio-gateway exited with {code} before listening (2: usage, e.g. no secret)") from None
        self.port = json_line(line).get("port")
        print(line, flush=True)
        return self

    def log_line(self, msg):
        return next((json_line(l) for l in self.logs.lines if (json_line(l) or {}).get("msg") == msg), None)

    def stop(self):
        if self.proc is None:
            return
        running = self.proc.poll() is None
        code = stop_process(self.proc, "sio-gateway")
        self.logs.thread.join(timeout=5)
        print(f"sio-gateway exited with {code}" + ("" if running else " before it was stopped"), flush=True)
        if sys.exc_info()[1] is None:  # called from a finally: an earlier failure says more
            expect(running, f"sio-gateway died with {code} before it was stopped")
            expect(code == 0, f"sio-gateway exited with {code} on SIGTERM, expected 0 (a clean shutdown)")


def mint_token(gateway_exe, secret):
    p = run([gateway_exe, "token", "--user", USER_ID, "--ttl", "10m"], env={"SIO_JWT_SECRET": secret}, quiet=True)
    token = p.stdout.strip()
    expect(re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token), f"sio-gateway token printed no JWT: {p.stdout!r}")
    return token


def client_receives(args, gateway_exe, notify_exe, port, secret, redis):
    """A real socket.io-client connects with a token the installed `sio-gateway token` minted, the installed notify
    publishes to user 42, and the client must receive exactly that notification."""
    token = mint_token(gateway_exe, secret)
    script = os.path.join(args.source_dir, "tests/packaging/gateway_client.mjs")
    url = f"http://127.0.0.1:{port}"
    print(f"$ node {script} {url} <token for user {USER_ID}>", flush=True)
    client = subprocess.Popen(["node", script, url, token, str(CLIENT_TIMEOUT_S * 1000)], stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    print(f"socket.io-client pid {client.pid}", flush=True)
    out = Lines(client.stdout)
    try:
        line = out.wait_for(lambda l: json_line(l) is not None, CLIENT_TIMEOUT_S, "the client to connect")
        print(line, flush=True)
        expect("connected" in json_line(line), f"the client did not connect: {line}")
        # Until the gateway's adapter subscription is there, notify counts 0 receivers (exit 7) and nobody got it.
        deadline = time.monotonic() + CLIENT_TIMEOUT_S
        while True:
            p = run([notify_exe, "--redis", redis.url, "--user", USER_ID, "--type", "ORDER_UPDATED",
                     "--payload", '{"orderId":7}', "--timestamp", "1700000000000", "--require-receivers"],
                    env={"LD_LIBRARY_PATH": "", "REDIS_URL": "", "SIO_KEY": ""}, check=False, timeout=30)
            if p.returncode != 7 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        expect(p.returncode == 0, f"notify exited with {p.returncode}")
        line = out.wait_for(lambda l: json_line(l) is not None, CLIENT_TIMEOUT_S, "the client to receive an event")
        print(f"client received: {line}", flush=True)
        expect(json_line(line) == EXPECTED_EVENT, f"the client received {line}, expected {json.dumps(EXPECTED_EVENT)}")
        client.wait(timeout=CLIENT_TIMEOUT_S)
        expect(client.returncode == 0, f"the client exited with {client.returncode}")
    finally:
        stop_process(client, "socket.io-client")


def http_get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.status, response.read()


def demo_bundle_served(port, bundle):
    """The demo page and GET /socket.io.min.js, which must be the installed bundle's bytes."""
    status, page = http_get(port, "/")
    expect(status == 200 and b'<script src="/socket.io.min.js">' in page, "GET / is not the demo page")
    status, body = http_get(port, "/socket.io.min.js")
    with open(bundle, "rb") as f:
        installed = f.read()
    print(f"GET /socket.io.min.js: {status}, {len(body)} bytes; {bundle}: {len(installed)} bytes")
    expect(status == 200 and body == installed, f"/socket.io.min.js is not {bundle}")


def gateway_from_unit(args, root, unit_path, redis, port):
    """Starts the gateway as `unit_path` says (paths under `root`), then the client and demo bundle checks."""
    gateway = UnitGateway(unit_path, root)
    try:
        gateway.start()
        expect(gateway.port == port, f"the gateway listens on {gateway.port}, not SIO_GATEWAY_PORT={port} of "
                                     f"the EnvironmentFile")
        exe = gateway.argv[0]
        client_receives(args, exe, os.path.join(os.path.dirname(exe), "notify"), port,
                        gateway.env["SIO_JWT_SECRET"], redis)
        if args.demo_client_js == "ON":
            bundle = os.path.join(os.path.dirname(exe), "..", "share", "sio-gateway", "socket.io.min.js")
            found = gateway.log_line("demo page socket.io client found") or {}
            print(f"log: {json.dumps(found)}")
            expect(os.path.realpath(found.get("path", "")) == os.path.realpath(bundle),
                   f"the gateway did not take its bundle from {os.path.realpath(bundle)}")
            demo_bundle_served(port, bundle)
    finally:
        gateway.stop()


def run_extracted_unit(args, root, redis):
    """The extracted package's unit, as postinst would leave it: its EnvironmentFile written from the shipped
    template (a random secret, the test's Redis and a free port), then ExecStart under the extracted root."""
    unit_path = os.path.join(root, "usr", UNIT)
    service = read_unit(unit_path)
    env_files = [e.lstrip("-") for e in service.get("EnvironmentFile", [])]
    expect(env_files, "the unit has no EnvironmentFile")
    port = free_port()
    env_file_from_template(os.path.join(root, "usr/share/sio-gateway/sio-gateway.env.example"), root + env_files[0],
                           {"SIO_JWT_SECRET": os.urandom(32).hex(), "REDIS_URL": redis.url,
                            "SIO_GATEWAY_HOST": "127.0.0.1", "SIO_GATEWAY_PORT": str(port)})
    gateway_from_unit(args, root, unit_path, redis, port)


# ---- the installed package's gateway (SIO_TEST_DEB_INSTALL=1, root) ----------------------------------------------

SYSTEM_ENV_FILE = "/etc/sio-gateway/sio-gateway.env"
TEST_OVERRIDE_ENV = "/run/sio-packaging-test.env"
DROPIN_DIR = "/run/systemd/system/sio-gateway.service.d"


def check_postinst_env_file():
    st = os.stat(SYSTEM_ENV_FILE)
    print(f"{SYSTEM_ENV_FILE}: mode {stat.S_IMODE(st.st_mode):04o}, uid {st.st_uid}")
    expect(stat.S_IMODE(st.st_mode) == 0o600 and st.st_uid == 0, f"{SYSTEM_ENV_FILE} is not mode 0600, root's")
    secret = read_env_file(SYSTEM_ENV_FILE).get("SIO_JWT_SECRET", "")
    expect(re.fullmatch(r"[0-9a-f]{64}", secret), "SIO_JWT_SECRET is not 32 random bytes in hex")
    print("SIO_JWT_SECRET: 64 hex digits")


def write_override(redis, port):
    """The test's Redis and port, in an environment file read after the unit's own (as a drop-in adds it)."""
    fd = os.open(TEST_OVERRIDE_ENV, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"REDIS_URL={redis.url}\nSIO_GATEWAY_HOST=127.0.0.1\nSIO_GATEWAY_PORT={port}\n")


def wait_port(port, timeout):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if http_get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass
        expect(time.monotonic() < deadline, f"nothing answered GET /healthz on port {port} within {timeout} s")
        time.sleep(0.2)


def installed_unit_serves(args, redis):
    port = free_port()
    write_override(redis, port)
    secret = read_env_file(SYSTEM_ENV_FILE)["SIO_JWT_SECRET"]
    unit_path = "/usr/" + UNIT
    try:
        if os.path.isdir("/run/systemd/system"):
            print("systemd runs (PID 1): systemctl start with a drop-in adding the test's EnvironmentFile")
            os.makedirs(DROPIN_DIR, exist_ok=True)
            with open(os.path.join(DROPIN_DIR, "packaging-test.conf"), "w") as f:
                f.write(f"[Service]\nEnvironmentFile={TEST_OVERRIDE_ENV}\n")
            run(["systemctl", "daemon-reload"], timeout=60)
            try:
                run(["systemctl", "start", "sio-gateway.service"], timeout=60)
                wait_port(port, GATEWAY_START_TIMEOUT_S)
                run(["systemctl", "--no-pager", "status", "sio-gateway.service"], check=False, timeout=30)
                client_receives(args, "/usr/bin/sio-gateway", "/usr/bin/notify", port, secret, redis)
                if args.demo_client_js == "ON":
                    demo_bundle_served(port, "/usr/share/sio-gateway/socket.io.min.js")
            finally:
                run(["systemctl", "stop", "sio-gateway.service"], check=False, timeout=60)
                shutil.rmtree(DROPIN_DIR, ignore_errors=True)
                run(["systemctl", "daemon-reload"], check=False, timeout=60)
        else:
            print("systemd is not PID 1 here: the installed unit's ExecStart with its EnvironmentFile (the one "
                  f"postinst made) and {TEST_OVERRIDE_ENV}")
            gateway = UnitGateway(unit_path, "", TEST_OVERRIDE_ENV)
            expect(gateway.env.get("SIO_JWT_SECRET") == secret, "the unit's EnvironmentFile is not postinst's")
            try:
                gateway.start()
                expect(gateway.port == port, f"the gateway listens on {gateway.port}, not {port}")
                client_receives(args, "/usr/bin/sio-gateway", "/usr/bin/notify", port, secret, redis)
                if args.demo_client_js == "ON":
                    demo_bundle_served(port, "/usr/share/sio-gateway/socket.io.min.js")
            finally:
                gateway.stop()
    finally:
        os.unlink(TEST_OVERRIDE_ENV)


# ---- groups -------------------------------------------------------------------------------------------------------

def group_install(r, args, tmp):
    prefix = os.path.join(tmp, "prefix")
    if r.step("cmake --install into a temporary prefix", install_into, args.build_dir, prefix) is None:
        return
    r.step("the install tree", print_tree, prefix)
    r.step("expected files and version header", check_files, prefix, args.libdir, args.version, args)
    r.step("exported symbols of libsio-emitter.so (nm -D)", check_symbols, prefix, args.libdir)
    r.step("SONAME (objdump -p)", check_soname, prefix, args.libdir, args.version)
    r.step("installed notify --version", check_notify, prefix, args.version)
    r.step("pkg-config sio-emitter", check_pkgconfig, prefix, args.libdir, args.version)
    if args.gateway:
        # The unit is written at install time: it names this prefix, not the configured one.
        r.step("sio-gateway.service names this prefix's paths", check_unit_paths, os.path.join(prefix, UNIT),
               os.path.join(prefix, "bin/sio-gateway"), os.path.join(prefix, "etc/sio-gateway/sio-gateway.env"))
        r.step("installed sio-gateway --version", check_gateway_version, prefix, args.version)


def group_consumers(r, args, tmp):
    prefix = os.path.join(tmp, "prefix")
    if r.step("cmake --install into a temporary prefix", install_into, args.build_dir, prefix) is None:
        return
    consumers = os.path.join(args.source_dir, "tests/packaging/consumers")
    redis = RedisServer(tmp)
    if r.step("start redis-server", start_redis, redis) is None:
        return
    try:
        r.step("(a) C++ find_package(sio) + sio::emitter", cmake_consumer,
               os.path.join(consumers, "cxx_find_package"), os.path.join(tmp, "a"), prefix, redis)
        r.step("(b) C-only project + sio::emitter_c", cmake_consumer,
               os.path.join(consumers, "c_find_package"), os.path.join(tmp, "b"), prefix, redis, True)
        r.step("(c) cc $(pkg-config --cflags --libs sio-emitter)", pkgconfig_consumer,
               os.path.join(consumers, "c_pkgconfig"), os.path.join(tmp, "c"), prefix, args.libdir, redis)
        r.step("(d) add_subdirectory(sio) in a parent project", subdir_consumer,
               os.path.join(consumers, "add_subdirectory"), os.path.join(tmp, "d"), args.source_dir, redis)
        r.step("(e) static: sio::emitter_static", cmake_consumer,
               os.path.join(consumers, "static"), os.path.join(tmp, "e"), prefix, redis, False, True)
    finally:
        redis.stop()


def build_deb(build_dir, out_dir, version):
    run(["cpack", "-G", "DEB", "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-B", out_dir])
    debs = [f for f in os.listdir(out_dir) if f.endswith(".deb")]
    arch = run(["dpkg", "--print-architecture"], quiet=True).stdout.strip()
    expected = f"sio_{version}_{arch}.deb"
    expect(debs == [expected], f"cpack made {debs}, expected [{expected}]")
    return os.path.join(out_dir, expected)


def inspect_deb(deb, libdir, version, args):
    listing = run(["dpkg-deb", "-c", deb]).stdout
    paths = {line.split()[5].split(" -> ")[0].lstrip(".") for line in listing.splitlines() if line.strip()}
    missing = [f for f in expected_files(libdir, version, args) if "/usr/" + f not in paths]
    expect(not missing, "missing from the package: " + ", ".join(missing))
    fields = run(["dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Maintainer", "Depends",
                  "Description"]).stdout
    expect(re.search(r"^Package: sio$", fields, re.M), "Package is not sio")
    expect(re.search(rf"^Version: {re.escape(version)}$", fields, re.M), f"Version is not {version}")
    expect(re.search(r"^Maintainer: sio maintainers$", fields, re.M), "Maintainer is not 'sio maintainers'")
    depends = re.search(r"^Depends: (.*)$", fields, re.M)
    expect(depends, "no Depends field: dpkg-shlibdeps did not run")
    for lib in ["libhiredis", "libfmt", "libstdc++6", "libc6"] + (["libjwt", "libssl"] if args.gateway else []):
        expect(lib in depends.group(1), f"Depends lacks {lib}")
    expect("-dev" not in depends.group(1), "Depends names a -dev package: runtime dependencies only")


def apt_install(deb):
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "sio"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    expect("install ok installed" not in status.stdout,
           "a package named sio is already installed: refusing to replace it (apt-get remove sio first)")
    # The purge at the end removes /etc/sio-gateway: it must be the package's own.
    expect(not os.path.lexists("/etc/sio-gateway"), "/etc/sio-gateway exists: refusing to install over it")
    run(["apt-get", "install", "-y", "--no-install-recommends", deb],
        env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=300)


def check_gateway_version(prefix, version):
    p = run([os.path.join(prefix, "bin/sio-gateway"), "--version"], env={"LD_LIBRARY_PATH": ""})
    expect(version in p.stdout, f"sio-gateway --version does not say {version}")


def check_maintainer_scripts(deb, control_dir):
    """postinst, prerm and postrm: executable POSIX sh scripts with set -e that sh -n accepts; postinst and postrm
    run ldconfig (cpack's own, which they replace, did)."""
    run(["dpkg-deb", "-e", deb, control_dir])
    for name in ["postinst", "prerm", "postrm"]:
        path = os.path.join(control_dir, name)
        expect(os.path.isfile(path), f"the package has no {name}")
        mode = stat.S_IMODE(os.stat(path).st_mode)
        with open(path) as f:
            text = f.read()
        print(f"{name}: mode {mode:04o}, {len(text.splitlines())} lines")
        expect(mode == 0o755, f"{name} is mode {mode:04o}, not 0755")
        expect(text.startswith("#!/bin/sh\n"), f"{name} does not start with #!/bin/sh")
        expect(re.search(r"^set -e$", text, re.M), f"{name} lacks set -e")
        expect("@" not in re.sub(r"#.*", "", text), f"{name} has an unreplaced @VARIABLE@")
        run(["sh", "-n", path])
        if shutil.which("checkbashisms"):
            run(["checkbashisms", path])
        if name in ("postinst", "postrm"):
            expect(re.search(r"^\s*ldconfig$", text, re.M), f"{name} does not run ldconfig")
    with open(os.path.join(control_dir, "postinst")) as f:
        postinst = f.read()
    expect("systemctl enable" not in re.sub(r"#.*|echo .*", "", postinst) and
           "systemctl start" not in re.sub(r"#.*|echo .*", "", postinst), "postinst enables or starts the service")


def check_system_notify(version):
    p = run(["/usr/bin/notify", "--version"])
    expect(version in p.stdout, f"/usr/bin/notify --version does not say {version}")
    run(["pkg-config", "--modversion", "sio-emitter"], env={"PKG_CONFIG_PATH": ""})


def group_deb(r, args, tmp):
    deb = r.step("cpack -G DEB", build_deb, args.build_dir, os.path.join(tmp, "deb"), args.version)
    if deb is None:
        return
    # cpack installs under /usr (CPACK_PACKAGING_INSTALL_PREFIX) with the configured CMAKE_INSTALL_LIBDIR.
    r.step("dpkg-deb -c / -f: files and control fields", inspect_deb, deb, args.libdir, args.version, args)
    if args.gateway:
        r.step("maintainer scripts (dpkg-deb -e)", check_maintainer_scripts, deb, os.path.join(tmp, "control"))
        root = os.path.join(tmp, "root")
        if r.step("dpkg-deb -x into a temporary root", run, ["dpkg-deb", "-x", deb, root]) is not None:
            r.step("sio-gateway.service: /usr paths", check_unit_paths, os.path.join(root, "usr", UNIT),
                   "/usr/bin/sio-gateway", "/etc/sio-gateway/sio-gateway.env")
            r.step("systemd-analyze verify sio-gateway.service", systemd_analyze_verify, root, "usr/" + UNIT,
                   os.path.join(tmp, "verify"))
            redis = RedisServer(tmp)
            if r.step("start redis-server", start_redis, redis) is not None:
                try:
                    r.step("the extracted unit's ExecStart serves a socket.io-client what notify publishes",
                           run_extracted_unit, args, root, redis)
                finally:
                    redis.stop()
    if os.environ.get("SIO_TEST_DEB_INSTALL") != "1":
        print("\nSIO_TEST_DEB_INSTALL is not 1: not installing the package into the system (CI sets it)")
        return
    if r.step("apt-get install ./sio_*.deb", apt_install, deb) is None:
        return
    try:
        r.step("/usr/bin/notify --version and pkg-config from /usr", check_system_notify, args.version)
        if args.gateway:
            r.step(f"postinst created {SYSTEM_ENV_FILE} (0600, a random secret)", check_postinst_env_file)
            r.step("systemd-analyze verify /usr/" + UNIT, systemd_analyze_verify, "", "/usr/" + UNIT,
                   os.path.join(tmp, "verify-usr"))
        redis = RedisServer(tmp)
        if r.step("start redis-server", start_redis, redis) is not None:
            try:
                consumers = os.path.join(args.source_dir, "tests/packaging/consumers")
                r.step("(a) C++ find_package(sio) against /usr", cmake_consumer,
                       os.path.join(consumers, "cxx_find_package"), os.path.join(tmp, "a-usr"), "/usr", redis)
                if args.gateway:
                    r.step("the installed sio-gateway.service serves a socket.io-client what notify publishes",
                           installed_unit_serves, args, redis)
            finally:
                redis.stop()
    finally:
        r.step("apt-get remove -y sio, dpkg --purge sio", remove_package, args)


def remove_package(args):
    run(["apt-get", "remove", "-y", "sio"], env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=300)
    if args.gateway:
        expect(os.path.exists(SYSTEM_ENV_FILE), f"remove (not purge) deleted {SYSTEM_ENV_FILE}")
    # remove leaves dpkg's "rc" record (the ldconfig trigger, the environment file); purge it so the system is as
    # before.
    run(["dpkg", "--purge", "sio"], timeout=120)
    for path in ["/usr/bin/notify", "/usr/bin/sio-gateway", "/usr/" + UNIT, "/etc/sio-gateway"]:
        expect(not os.path.lexists(path), f"{path} is still there after the purge")
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "sio"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    expect(status.stdout.strip() in ("", "unknown ok not-installed"), f"dpkg still knows sio: {status.stdout!r}")
    print("purged: no sio files, no /etc/sio-gateway, dpkg knows no sio")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["install", "consumers", "deb"])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--libdir", required=True, help="CMAKE_INSTALL_LIBDIR")
    parser.add_argument("--gateway", action="store_true", help="sio-gateway was built: its files are installed")
    parser.add_argument("--demo-client-js", choices=["ON", "OFF"], default="OFF",
                        help="the build installs the demo page's socket.io-client bundle")
    args = parser.parse_args()
    r = Runner()
    tmp = tempfile.mkdtemp(prefix=f"sio-packaging-{args.group}-")
    try:
        {"install": group_install, "consumers": group_consumers, "deb": group_deb}[args.group](r, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
