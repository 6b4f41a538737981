#!/usr/bin/env bash
# The Python package as a user gets it: a fresh virtualenv of Debian's python3 (its site packages visible, for
# pytest), `pip install` of bindings/python with the setuptools Debian ships (no index, no build isolation: nothing
# is downloaded), then its pytest suite against that installation.
#   run_package_tests.sh SOURCE_DIR WORK_DIR [PYTEST_ARGS...]
# The environment names the library (SIO_LIBRARY) and, for sanitizer builds, SIO_PYTHON_LD_PRELOAD: the runtimes
# loaded first into the Python processes (only those: conftest.py keeps them from Node and redis-server).
set -euo pipefail
src=$1
work=$2
shift 2
python=${SIO_PYTHON:-python3}
rm -rf "$work"
mkdir -p "$work"
"$python" -m venv --system-site-packages "$work/venv"
# pip builds in the directory it is given: a copy keeps build/ and *.egg-info out of the source tree.
cp -r "$src/bindings/python" "$work/package"
"$work/venv/bin/python" -m pip install --quiet --no-index --no-build-isolation --no-deps "$work/package"
cd "$work"
if [ -n "${SIO_PYTHON_LD_PRELOAD:-}" ]; then
  export LD_PRELOAD=$SIO_PYTHON_LD_PRELOAD ASAN_OPTIONS=detect_leaks=0
fi
exec "$work/venv/bin/python" -B -m pytest -p no:cacheprovider -q -rs "$src/bindings/python/tests" "$@"
