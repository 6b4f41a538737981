#!/usr/bin/env python3
"""Layers only look down: every #include line of the products, checked against the layer graph (DESIGN.md §2).

  check_includes.py [SOURCE_ROOT]      exit 0: every include allowed; 1: each violation printed as file:line

The graph (a layer may include itself and what it lists):
  public     emitter/include/sio/*.hpp (installed): public only
  value      emitter/internal/sio/internal/value, emitter/src/value: public
  protocol   .../protocol: value, public, and redis/command.hpp (what its encoders produce)
  redis      .../redis (and its private headers in emitter/src/redis): sio/error.hpp, sio/options.hpp,
             sio/backoff.hpp (whose rule it implements). It knows
             nothing of Socket.IO: no protocol/, no value/, no sio/outcome.hpp.
  facade     emitter/src (client, requests, emitter): every internal layer, public
  programs   programs/common: what notify and sio-gateway share beside the library (nothing of sio)
  cli        cli/: public and programs only (notify is a user of the installed API)
  c_api      bindings/c: public only
  gateway    gateway/src/<layer>: public, every internal layer, and the gateway layers below it:
             engineio <- auth <- socketio <- adapter <- http; app stands alone (and uses programs); main.cpp
             sees them all.
Nothing outside emitter/ includes the library's private sources (emitter/src): the gateway, cli and bindings
resolve a quoted include against their own source tree, sio/... or sio/internal/... only.
"""
import re
import sys
from pathlib import Path

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^">]+)[">]')
INTERNAL_LAYERS = ("value", "protocol", "redis")
ALLOWED = {
    "public": {"public"},
    "value": {"public", "value"},
    "protocol": {"public", "value", "protocol", "redis"},  # redis: only the command it encodes (see below)
    "redis": {"public", "redis"},
    "facade": {"public", "value", "protocol", "redis", "facade"},
    "programs": {"programs"},
    "cli": {"public", "cli", "programs"},
    "c_api": {"public", "c_api"},
    "gw.engineio": {"public", *INTERNAL_LAYERS, "gw.engineio"},
    "gw.auth": {"public", *INTERNAL_LAYERS, "gw.auth", "gw.engineio"},
    "gw.socketio": {"public", *INTERNAL_LAYERS, "gw.socketio", "gw.auth", "gw.engineio"},
    "gw.adapter": {"public", *INTERNAL_LAYERS, "gw.adapter", "gw.socketio", "gw.auth", "gw.engineio"},
    "gw.http": {"public", *INTERNAL_LAYERS, "gw.http", "gw.adapter", "gw.socketio", "gw.auth", "gw.engineio"},
    "gw.app": {"public", *INTERNAL_LAYERS, "gw.app", "programs"},
    "gw.main": {"public", *INTERNAL_LAYERS, "programs", "gw.app", "gw.http", "gw.adapter", "gw.socketio", "gw.auth",
                "gw.engineio"},
}
GATEWAY_LAYERS = ("engineio", "auth", "socketio", "adapter", "http", "app")


def layer_of_file(rel):
    """The layer a source file belongs to, or None when it is not a product source (tests, fuzz, bench, ...)."""
    parts = rel.parts
    if parts[:3] == ("emitter", "include", "sio"):
        return "public"
    if parts[:4] == ("emitter", "internal", "sio", "internal") and len(parts) > 5:
        return parts[4] if parts[4] in INTERNAL_LAYERS else "unknown"
    if parts[:2] == ("emitter", "src"):
        if len(parts) > 3 and parts[2] in INTERNAL_LAYERS:
            return parts[2]
        return "value" if rel.name == "error.cpp" else "facade"  # error.cpp is compiled into the value layer
    if parts[0] == "cli":
        return "cli"
    if parts[:2] == ("programs", "common"):
        return "programs"
    if parts[:2] == ("bindings", "c"):
        return "c_api"
    if parts[:2] == ("gateway", "src"):
        if len(parts) == 3:
            return "gw.main"
        return "gw." + parts[2] if parts[2] in GATEWAY_LAYERS else "unknown"
    return None


def layer_of_include(path, file_layer):
    """The layer an included header belongs to; None for system and third-party headers."""
    if path.startswith("sio/internal/"):
        layer = path.split("/")[2]
        return layer if layer in INTERNAL_LAYERS else "unknown"
    if path.startswith("sio/"):
        return "public"
    if path.startswith("common/") and (ROOT / "programs" / path).exists():
        return "programs"
    if file_layer.startswith("gw."):
        first = path.split("/")[0]
        if (ROOT / "gateway" / "src" / path).exists():
            return "gw." + first if first in GATEWAY_LAYERS else "unknown"
        return None if not (ROOT / "emitter" / "src" / path).exists() else "private"
    if file_layer in INTERNAL_LAYERS or file_layer == "facade":
        if (ROOT / "emitter" / "src" / path).exists():
            first = path.split("/")[0]
            # A layer's private headers live beside its sources (emitter/src/redis/*.hpp).
            return first if first in INTERNAL_LAYERS else "facade"
        return None
    if file_layer == "programs":
        return "programs" if (ROOT / "programs" / path).exists() else (
            "private" if (ROOT / "emitter" / "src" / path).exists() else None)
    if file_layer == "cli":
        if (ROOT / "cli" / path).exists():
            return "cli"
        return None if not (ROOT / "emitter" / "src" / path).exists() else "private"
    if file_layer == "c_api":
        return "c_api" if (ROOT / "bindings" / "c" / path).exists() else (
            "private" if (ROOT / "emitter" / "src" / path).exists() else None)
    return None


# Exceptions to the graph, each narrower than a layer: (including layer, included header) -> allowed or not.
# protocol/ encodes into the Redis layer's `command` and may include nothing else of redis/; redis/ may include
# only the public headers that know nothing of Socket.IO (errors and the connection options).
ONLY = {
    ("protocol", "redis"): {"sio/internal/redis/command.hpp"},
    ("redis", "public"): {"sio/error.hpp", "sio/options.hpp", "sio/export.hpp", "sio/backoff.hpp"},
}


def main():
    violations = []
    checked = 0
    for tree in ("emitter", "cli", "bindings/c", "gateway/src", "programs"):
        for source in sorted((ROOT / tree).rglob("*")):
            if source.suffix not in (".hpp", ".cpp", ".h", ".c"):
                continue
            rel = source.relative_to(ROOT)
            file_layer = layer_of_file(rel)
            if file_layer is None:
                continue
            if file_layer == "unknown":
                violations.append(f"{rel}: not in any layer of the graph (tests/layering/check_includes.py)")
                continue
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                checked += 1
                target = layer_of_include(match.group(1), file_layer)
                if target is None:
                    continue
                only = ONLY.get((file_layer, target))
                if only is not None and match.group(1) not in only:
                    violations.append(f"{rel}:{number}: layer {file_layer} includes \"{match.group(1)}\"; of layer "
                                      f"{target} it may include only {sorted(only)}")
                elif target not in ALLOWED[file_layer]:
                    violations.append(f"{rel}:{number}: layer {file_layer} includes \"{match.group(1)}\" "
                                      f"(layer {target}); {file_layer} may include only {sorted(ALLOWED[file_layer])}")
    for v in violations:
        print(v)
    print(f"check_includes: {checked} include lines checked, {len(violations)} violation(s)")
    return 1 if violations or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
