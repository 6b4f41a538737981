// The demo page: a live notification feed for one user (GET /?token=JWT, or /?user=ID in trusted mode), made of
// a small HTML page, its stylesheet and its plain script; the socket.io-client bundle is served beside them.
#pragma once

#include <optional>
#include <string_view>

namespace sio::gateway::http {

struct demo_asset {
  std::string_view content_type;
  std::string_view body;
};

// The page or one of its assets by request path ("/", "/demo.js", "/demo.css"); nullopt for any other path.
std::optional<demo_asset> find_demo_asset(std::string_view path);

}  // namespace sio::gateway::http
