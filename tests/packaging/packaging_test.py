#!/usr/bin/env python3
"""Packaging tests of sio: what `cmake --install` and `cpack -G DEB` produce, used the way applications use it.

Usage: packaging_test.py GROUP --build-dir DIR --source-dir DIR --version X.Y.Z --libdir LIBDIR

GROUP is one of
  install    install into a temporary prefix, print the tree, check the files, the exported symbols of
             libsio-emitter.so (only sio_* and sio::), its SONAME, notify --version and pkg-config
  consumers  install into a temporary prefix, then build five consumer projects out of tree against it
             (tests/packaging/consumers: find_package C++, find_package C-only, pkg-config C, add_subdirectory,
             static) and run each against a real redis-server: the §9.1 broadcast must arrive byte for byte
  deb        cpack -G DEB, inspect the package; with SIO_TEST_DEB_INSTALL=1 also apt-get install it, run
             /usr/bin/notify --version, build and run consumer (a) against /usr, and apt-get remove it

Every step prints what it does; a failed step is named. Ends with "N passed, M failed"; exits 1 on a failure.
Only loopback; the redis-server started here is stopped by its PID.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from redis_testing import RedisServer, Resp  # noqa: E402

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


def expected_files(libdir, version):
    so = soversion(version)
    return [
        "bin/notify",
        "include/sio/backoff.hpp", "include/sio/emitter.h", "include/sio/emitter.hpp", "include/sio/error.hpp", "include/sio/export.hpp",
        "include/sio/options.hpp", "include/sio/outcome.hpp", "include/sio/value.hpp", "include/sio/version.h", "include/sio/version.hpp",
        f"{libdir}/libsio-emitter.so", f"{libdir}/libsio-emitter.so.{so}", f"{libdir}/libsio-emitter.so.{version}",
        f"{libdir}/libsio-emitter.a",
        f"{libdir}/cmake/sio/sioConfig.cmake", f"{libdir}/cmake/sio/sioConfigVersion.cmake",
        f"{libdir}/cmake/sio/sioTargets.cmake", f"{libdir}/cmake/sio/sioStaticTargets.cmake",
        f"{libdir}/pkgconfig/sio-emitter.pc",
    ]


def check_files(prefix, libdir, version):
    missing = [f for f in expected_files(libdir, version) if not os.path.lexists(os.path.join(prefix, f))]
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
    print(f"all {len(expected_files(libdir, version))} expected files present; version.h says {version}")


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


# ---- groups -------------------------------------------------------------------------------------------------------

def group_install(r, args, tmp):
    prefix = os.path.join(tmp, "prefix")
    if r.step("cmake --install into a temporary prefix", install_into, args.build_dir, prefix) is None:
        return
    r.step("the install tree", print_tree, prefix)
    r.step("expected files and version header", check_files, prefix, args.libdir, args.version)
    r.step("exported symbols of libsio-emitter.so (nm -D)", check_symbols, prefix, args.libdir)
    r.step("SONAME (objdump -p)", check_soname, prefix, args.libdir, args.version)
    r.step("installed notify --version", check_notify, prefix, args.version)
    r.step("pkg-config sio-emitter", check_pkgconfig, prefix, args.libdir, args.version)


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


def inspect_deb(deb, libdir, version):
    listing = run(["dpkg-deb", "-c", deb]).stdout
    paths = {line.split()[5].split(" -> ")[0].lstrip(".") for line in listing.splitlines() if line.strip()}
    missing = [f for f in expected_files(libdir, version) if "/usr/" + f not in paths]
    expect(not missing, "missing from the package: " + ", ".join(missing))
    fields = run(["dpkg-deb", "-f", deb, "Package", "Version", "Architecture", "Maintainer", "Depends",
                  "Description"]).stdout
    expect(re.search(r"^Package: sio$", fields, re.M), "Package is not sio")
    expect(re.search(rf"^Version: {re.escape(version)}$", fields, re.M), f"Version is not {version}")
    expect(re.search(r"^Maintainer: sio maintainers$", fields, re.M), "Maintainer is not 'sio maintainers'")
    depends = re.search(r"^Depends: (.*)$", fields, re.M)
    expect(depends, "no Depends field: dpkg-shlibdeps did not run")
    for lib in ["libhiredis", "libfmt", "libstdc++6", "libc6"]:
        expect(lib in depends.group(1), f"Depends lacks {lib}")
    expect("-dev" not in depends.group(1), "Depends names a -dev package: runtime dependencies only")


def apt_install(deb):
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "sio"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    expect("install ok installed" not in status.stdout,
           "a package named sio is already installed: refusing to replace it (apt-get remove sio first)")
    run(["apt-get", "install", "-y", "--no-install-recommends", deb],
        env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=300)


def check_system_notify(version):
    p = run(["/usr/bin/notify", "--version"])
    expect(version in p.stdout, f"/usr/bin/notify --version does not say {version}")
    run(["pkg-config", "--modversion", "sio-emitter"], env={"PKG_CONFIG_PATH": ""})


def group_deb(r, args, tmp):
    deb = r.step("cpack -G DEB", build_deb, args.build_dir, os.path.join(tmp, "deb"), args.version)
    if deb is None:
        return
    # cpack installs under /usr (CPACK_PACKAGING_INSTALL_PREFIX) with the configured CMAKE_INSTALL_LIBDIR.
    r.step("dpkg-deb -c / -f: files and control fields", inspect_deb, deb, args.libdir, args.version)
    if os.environ.get("SIO_TEST_DEB_INSTALL") != "1":
        print("\nSIO_TEST_DEB_INSTALL is not 1: not installing the package into the system (CI sets it)")
        return
    if r.step("apt-get install ./sio_*.deb", apt_install, deb) is None:
        return
    try:
        r.step("/usr/bin/notify --version and pkg-config from /usr", check_system_notify, args.version)
        redis = RedisServer(tmp)
        if r.step("start redis-server", start_redis, redis) is not None:
            try:
                consumers = os.path.join(args.source_dir, "tests/packaging/consumers")
                r.step("(a) C++ find_package(sio) against /usr", cmake_consumer,
                       os.path.join(consumers, "cxx_find_package"), os.path.join(tmp, "a-usr"), "/usr", redis)
            finally:
                redis.stop()
    finally:
        r.step("apt-get remove -y sio", remove_package)


def remove_package():
    run(["apt-get", "remove", "-y", "sio"], env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=300)
    # remove leaves dpkg's "rc" record (the ldconfig trigger); purge it so the system is as before.
    run(["dpkg", "--purge", "sio"], timeout=120)
    expect(not os.path.exists("/usr/bin/notify"), "/usr/bin/notify is still there")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["install", "consumers", "deb"])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--libdir", required=True, help="CMAKE_INSTALL_LIBDIR")
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
