#include "app/demo_client.hpp"

#include <system_error>

namespace sio::gateway::app {

std::vector<std::filesystem::path> demo_client_js_candidates(const std::filesystem::path& executable) {
  std::vector<std::filesystem::path> out;
  if (!executable.empty())
    out.push_back((executable.parent_path() / ".." / "share" / "sio-gateway" / "socket.io.min.js").lexically_normal());
  out.emplace_back("node_modules/socket.io-client/dist/socket.io.min.js");
  return out;
}

std::optional<std::filesystem::path> find_demo_client_js(const std::vector<std::filesystem::path>& candidates) {
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

std::filesystem::path running_executable() {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path{} : path;
}

std::string describe_paths(const std::vector<std::filesystem::path>& paths) {
  std::string out;
  for (const auto& p : paths) {
    if (!out.empty()) out += ", ";
    out += p.string();
  }
  return out;
}

}  // namespace sio::gateway::app
