#!/usr/bin/env python3
"""One version, one source: what README.md and examples/README.md name, and what `notify --version` and
`sio-gateway --version` print, and the Python package's version (bindings/python: pyproject.toml and the
sio._native.__version__ it checks the library against), must be the project version of CMakeLists.txt
(project(sio VERSION ...)).

  versions_test.py SOURCE_DIR VERSION NOTIFY [SIO_GATEWAY]      exit 0: all match; 1: each mismatch printed
"""
import re
import subprocess
import sys
from pathlib import Path

# What a reader copies from the docs: a package file, the shared library's SONAME, a find_package() request and a
# program's --version line. Each pattern's group is compared with the version (or its MAJOR.MINOR).
PATTERNS = [
    (re.compile(r"sio_(\d+\.\d+\.\d+)_[a-z0-9]+\.deb"), "full"),
    (re.compile(r"libsio-emitter\.so\.(\d+\.\d+)(?!\.)"), "soname"),
    (re.compile(r"find_package\(sio (\d+(?:\.\d+)*)"), "major_minor"),
    (re.compile(r"\b(?:notify|sio-gateway) (\d+\.\d+\.\d+)\b"), "full"),
]


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    source, version, programs = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    major, minor = version.split(".")[:2]
    expected = {"full": version, "major_minor": f"{major}.{minor}",
                "soname": f"{major}.{minor}" if major == "0" else major}
    failures = []
    checked = 0
    for doc in ("README.md", "examples/README.md"):
        path = source / doc
        if not path.exists():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for pattern, kind in PATTERNS:
                for match in pattern.finditer(line):
                    checked += 1
                    if match.group(1) != expected[kind]:
                        failures.append(f"{doc}:{number}: names {match.group(0)!r}; the project is {version} "
                                        f"(expected {expected[kind]})")
    # The Python package is the library's version: it refuses a library of another MAJOR.MINOR.
    for rel, pattern in (("bindings/python/pyproject.toml", r'^version = "([^"]+)"'),
                         ("bindings/python/src/sio/_native.py", r'^__version__ = "([^"]+)"')):
        path = source / rel
        match = re.search(pattern, path.read_text(encoding="utf-8"), re.M) if path.exists() else None
        checked += 1
        if not match or match.group(1) != version:
            failures.append(f"{rel}: names {match.group(1) if match else 'no version'}; the project is {version}")
    for program in programs:
        name = Path(program).name
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=30)
        printed = (out.stdout + out.stderr).strip()
        checked += 1
        if out.returncode != 0 or printed != f"{name} {version}":
            failures.append(f"{name} --version printed {printed!r} (exit {out.returncode}); expected "
                            f"'{name} {version}'")
    for f in failures:
        print(f)
    print(f"versions_test: {checked} version mentions checked against {version}, {len(failures)} mismatch(es)")
    return 1 if failures or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
