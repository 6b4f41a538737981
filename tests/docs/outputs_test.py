#!/usr/bin/env python3
"""The docs against the code: every output format `notify --help` quotes (what --confirm, server-emit --acks and
sockets print) must appear in README.md word for word, so the README shows what a user will see.

  outputs_test.py SOURCE_DIR NOTIFY      exit 0: all found; 1: each missing format printed
"""
import re
import subprocess
import sys
from pathlib import Path


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    readme = (Path(sys.argv[1]) / "README.md").read_text(encoding="utf-8")
    readme = re.sub(r"\s+", " ", readme)  # a format may be wrapped across lines
    help_text = subprocess.run([sys.argv[2], "--help"], capture_output=True, text=True, check=True).stdout
    help_text = re.sub(r"\s+", " ", help_text)
    # `prints "FORMAT"`, and the sockets line format "<id><TAB>...".
    formats = re.findall(r'prints "([^"]+)"', help_text) + re.findall(r'"(<id>[^"]+)"', help_text)
    if len(formats) < 3:
        print(f"found only {len(formats)} output formats in notify --help: {formats}", file=sys.stderr)
        return 1
    missing = [f for f in formats if f"`{f}`" not in readme]
    for f in missing:
        print(f"README.md does not show notify's output format `{f}` (from notify --help)", file=sys.stderr)
    print(f"{len(formats) - len(missing)} of {len(formats)} output formats of notify --help found in README.md")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
