// app/token: `sio-gateway token`'s HS256 JWT.
#include <doctest/doctest.h>

#include <chrono>

#include "app/token.hpp"

using namespace std::chrono_literals;
namespace app = sio::gateway::app;

TEST_CASE("app: token is the HS256 JWT {sub, iat, exp} that Node's createHmac signs identically") {
  const std::chrono::system_clock::time_point t{1764336000s};
  // Checked with node: createHmac("sha256", "secret").update(header + "." + claims).digest("base64url").
  // Claims: {"exp":1764339600,"iat":1764336000,"sub":"42"}.
  CHECK(app::mint_token("42", "secret", 3600s, t) ==
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE3NjQzMzk2MDAsImlhdCI6MTc2NDMzNjAwMCwic3ViIjoiNDIifQ."
        "nfMJ9ls7XVRBqhNj_WxDkv-VKl_bdWYcCxbA-zE07Mk");
}
