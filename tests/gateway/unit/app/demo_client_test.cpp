// app/demo_client: where the demo page's socket.io-client bundle is looked for when no flag names one.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/demo_client.hpp"

namespace app = sio::gateway::app;
namespace fs = std::filesystem;

namespace {

// A fresh directory under the system's temporary directory, removed at the end of the test.
struct temp_dir {
  fs::path path;
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "sio-demo-client-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void touch(const fs::path& p) {
  fs::create_directories(p.parent_path());
  std::ofstream{p} << "/* socket.io */";
}

}  // namespace

TEST_CASE("app: the demo client bundle is looked for beside an installed gateway, then under the working directory") {
  const auto candidates = app::demo_client_js_candidates("/opt/sio/bin/sio-gateway");
  REQUIRE(candidates.size() == 2);
  CHECK(candidates[0] == fs::path{"/opt/sio/share/sio-gateway/socket.io.min.js"});
  CHECK(candidates[1] == fs::path{"node_modules/socket.io-client/dist/socket.io.min.js"});
  CHECK(app::demo_client_js_candidates({}) ==
        std::vector<fs::path>{"node_modules/socket.io-client/dist/socket.io.min.js"});
  CHECK(app::describe_paths(candidates) ==
        "/opt/sio/share/sio-gateway/socket.io.min.js, node_modules/socket.io-client/dist/socket.io.min.js");
}

TEST_CASE("app: the first candidate that is a file wins, and none is found when none exists") {
  const temp_dir root;
  const auto installed = root.path / "share" / "sio-gateway" / "socket.io.min.js";
  const auto developer = root.path / "work" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js";
  const std::vector<fs::path> candidates{installed, developer};
  CHECK_FALSE(app::find_demo_client_js(candidates).has_value());
  fs::create_directories(installed);  // a directory of that name is not the bundle
  touch(developer);
  CHECK(app::find_demo_client_js(candidates) == developer);
  fs::remove(installed);
  touch(installed);
  CHECK(app::find_demo_client_js(candidates) == installed);
}

TEST_CASE("app: running_executable names this test program") {
  CHECK(app::running_executable().filename() == "sio-gateway-app-tests");
}
