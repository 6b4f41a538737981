#!/bin/sh
# (c) A C program built with nothing but the compiler and pkg-config: build.sh OUTPUT (PKG_CONFIG_PATH set by the
# caller when sio is not under /usr).
set -eu
here=$(dirname "$0")
# shellcheck disable=SC2046  # pkg-config's words must split
exec cc -std=c99 -Wall -Wextra -Wpedantic -Werror "$here/../common/publish.c" -o "$1" $(pkg-config --cflags --libs sio-emitter)
