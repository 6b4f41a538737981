// Where the demo page's socket.io-client browser bundle (socket.io.min.js) is found at run time when neither
// --demo-client-js nor SIO_GATEWAY_DEMO_CLIENT_JS names one. The repository holds no copy of socket.io-client and
// the gateway has no path to one compiled in: an installed gateway finds it beside itself (the install copies the
// npm package's bundle into share/sio-gateway, cmake/SioInstall.cmake), a developer's under the working directory
// (npm install socket.io-client). README "sio-gateway" lists the same places.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sio::gateway::app {

// In order: <the executable's directory>/../share/sio-gateway/socket.io.min.js (an installed gateway; skipped when
// `executable` is empty), then ./node_modules/socket.io-client/dist/socket.io.min.js (relative: the working
// directory's).
std::vector<std::filesystem::path> demo_client_js_candidates(const std::filesystem::path& executable);

// The first of `candidates` that is a regular file (or a link to one); empty when none is.
std::optional<std::filesystem::path> find_demo_client_js(const std::vector<std::filesystem::path>& candidates);

// The running executable's path (/proc/self/exe); empty when it cannot be read.
std::filesystem::path running_executable();

// "a, b, c": the candidates for a log line.
std::string describe_paths(const std::vector<std::filesystem::path>& paths);

}  // namespace sio::gateway::app
