// Exceptions thrown inside libsio-emitter.so are caught by their exact types in the application, and the type_info
// of what was thrown is the application's own (one type_info per class in the process). Fails if the exception
// classes lose their default visibility, or if this program does not actually run against the shared library.
//
// The type_info identity is the real check: libstdc++ happens to match catch clauses by type name, so on GCC/Linux
// the catches below would still work with hidden classes, but runtimes that compare type_info addresses (libc++,
// other platforms) would miss them.
#include <dlfcn.h>

#include <typeinfo>

#include <cstdio>
#include <cstring>
#include <string>

#include "sio/emitter.hpp"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  Dl_info info{};
  const bool found = dladdr(reinterpret_cast<void*>(&sio::version), &info) != 0 && info.dli_fname != nullptr;
  const std::string library = found ? info.dli_fname : "";
  std::printf("sio::version() is in %s\n", library.c_str());
  check(library.find("libsio-emitter.so") != std::string::npos, "the library code runs from libsio-emitter.so");

  sio::Emitter dry{sio::Options{.dry_run = true}};
  bool caught = false;
  try {
    dry.to("user:42").emit_sync("disconnect");
  } catch (const sio::data_error& e) {
    caught = e.code() == sio::errc::reserved_event;
    check(&typeid(e) == &typeid(sio::data_error), "the thrown sio::data_error has the application's type_info");
  } catch (...) {
  }
  check(caught, "catch (const sio::data_error&) a reserved event name");

  caught = false;
  try {
    (void)sio::json("{\"a\":");
  } catch (const sio::error& e) {
    caught = e.code() == sio::errc::invalid_json;
  } catch (...) {
  }
  check(caught, "catch (const sio::error&) invalid JSON from sio::json");

  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  sio::Emitter unreachable{sio::Options{.redis_url = "redis://127.0.0.1:1", .connect_timeout = std::chrono::seconds(2)}};
  caught = false;
  try {
    unreachable.connect();
  } catch (const sio::connection_error& e) {
    caught = true;
    check(&typeid(e) == &typeid(sio::connection_error),
          "the thrown sio::connection_error has the application's type_info");
  } catch (...) {
  }
  check(caught, "catch (const sio::connection_error&) from connecting to a closed port");

  caught = false;
  try {
    unreachable.emit_sync("tick", 1);
  } catch (const sio::redis_error& e) {
    caught = e.code() == sio::errc::connection;
  } catch (...) {
  }
  check(caught, "catch (const sio::redis_error&) from a publish to a closed port");

  std::printf("%d failed\n", failures);
  return failures == 0 ? 0 : 1;
}
