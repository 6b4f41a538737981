// --auth jwt: HS256 JSON Web Tokens. The header is read first so that only HS256 tokens ever reach libjwt's
// verification (libjwt would otherwise verify whatever algorithm the token names); libjwt checks the signature.
// Both segments are read before the signature is, so from anyone: with sio::json's reader (iterative, at most 512
// levels deep, JSON.parse semantics), never with a recursive parser a deep token would overflow the stack with.
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <jwt.h>
#include <fmt/format.h>

#include "auth/authenticators.hpp"
#include "auth/base64url.hpp"
#include "sio/error.hpp"
#include "sio/value.hpp"
#include "sio/internal/value/json_reader.hpp"

namespace sio::gateway::auth {

namespace {

refused invalid(std::string_view reason) { return refused{fmt::format("invalid token: {}", reason)}; }

// A JWT segment: base64url of a JSON object, with the first member name it repeats (if any); nothing when it is
// not one.
std::optional<sio::detail::json_document> parse_segment(std::string_view segment) {
  const auto json = decode_base64url(segment);
  if (!json) return std::nullopt;
  try {
    auto parsed = sio::detail::json_noting_repeated_name(*json);
    if (parsed.root.type() != sio::value::kind::object) return std::nullopt;
    return parsed;
  } catch (const sio::data_error&) {  // not JSON, invalid UTF-8, or nested deeper than the reader's limit
    return std::nullopt;
  }
}

// A member name as the refusal shows it: quoted and escaped as JSON, so that any name reads unambiguously.
std::string quoted(const std::string& name) { return sio::to_json(sio::value(name)); }

struct jwt_deleter {
  void operator()(jwt_t* j) const noexcept { jwt_free(j); }
};

// "Authorization: Bearer <token>" (the scheme is case-insensitive, RFC 7235).
std::optional<std::string> bearer_token(const engineio::handshake_info& handshake) {
  constexpr std::string_view scheme = "bearer ";
  for (const auto& [name, value] : handshake.headers) {
    if (name != "authorization" || value.size() <= scheme.size()) continue;
    bool matches = true;
    for (std::size_t i = 0; i < scheme.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(value[i])) != scheme[i]) matches = false;
    if (!matches) continue;
    std::string token = value.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
    if (!token.empty()) return token;
  }
  return std::nullopt;
}

class jwt_authenticator final : public authenticator {
 public:
  explicit jwt_authenticator(jwt_options options) : options_(std::move(options)) {
    if (options_.secret.empty()) throw std::invalid_argument("the JWT secret is empty");
    if (options_.secret.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw std::invalid_argument("the JWT secret is too long");
    if (!options_.now_seconds)
      options_.now_seconds = [] {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
      };
  }

  decision authenticate(const sio::value& auth, const engineio::handshake_info& handshake) const override {
    std::string token;
    if (const sio::value* given = auth.find("token"); given != nullptr && !given->is_undefined()) {
      if (given->type() != sio::value::kind::string) return invalid("auth.token is not a string");
      token = given->as_string();
    } else if (auto bearer = bearer_token(handshake)) {
      token = std::move(*bearer);
    }
    if (token.empty()) return invalid("missing (send auth {token} or an Authorization: Bearer header)");
    return check(token);
  }

 private:
  decision check(const std::string& token) const {
    const std::size_t first_dot = token.find('.');
    const std::size_t second_dot = first_dot == std::string::npos ? first_dot : token.find('.', first_dot + 1);
    if (second_dot == std::string::npos || token.find('.', second_dot + 1) != std::string::npos)
      return invalid("malformed (not three dot-separated parts)");
    const auto header = parse_segment(std::string_view(token).substr(0, first_dot));
    if (!header) return invalid("malformed header");
    const auto claims = parse_segment(std::string_view(token).substr(first_dot + 1, second_dot - first_dot - 1));
    if (!claims) return invalid("malformed claims");
    // RFC 7515 §4 and RFC 7519 §4: a repeated name is refused, since readers disagree on which one counts (JSON.parse
    // takes the last): {"sub":"43","sub":"42"} must not be user 42 to a Node service and user 43 here.
    if (header->repeated_name)
      return invalid(fmt::format("duplicate header parameter {}", quoted(*header->repeated_name)));
    if (claims->repeated_name) return invalid(fmt::format("duplicate claim name {}", quoted(*claims->repeated_name)));

    const auto* alg = header->root.find("alg");
    if (alg == nullptr || alg->type() != sio::value::kind::string) return invalid("malformed header (no alg)");
    const std::string& alg_name = alg->as_string();
    if (alg_name != "HS256") return invalid(fmt::format("wrong algorithm {} (only HS256 is accepted)", alg_name));

    jwt_t* raw = nullptr;
    const int failed = jwt_decode(&raw, token.c_str(), reinterpret_cast<const unsigned char*>(options_.secret.data()),
                                  static_cast<int>(options_.secret.size()));
    const std::unique_ptr<jwt_t, jwt_deleter> decoded(raw);
    if (failed != 0 || !decoded) return invalid("bad signature");
    if (jwt_get_alg(decoded.get()) != JWT_ALG_HS256) return invalid("wrong algorithm");  // never reached

    const std::int64_t now = options_.now_seconds();
    const auto leeway = static_cast<double>(options_.leeway.count());
    if (const auto* exp = claims->root.find("exp"); exp != nullptr) {
      if (exp->type() != sio::value::kind::number) return invalid("malformed claims (exp is not a number)");
      if (static_cast<double>(now) >= exp->as_number() + leeway) return invalid("expired");
    } else if (options_.require_exp) {
      return invalid("no exp (the token must expire; --jwt-exp-optional accepts tokens without one)");
    }
    if (const auto* nbf = claims->root.find("nbf"); nbf != nullptr) {
      if (nbf->type() != sio::value::kind::number) return invalid("malformed claims (nbf is not a number)");
      if (static_cast<double>(now) + leeway < nbf->as_number()) return invalid("not yet valid (nbf)");
    }
    const auto* sub = claims->root.find("sub");
    if (sub == nullptr || sub->type() != sio::value::kind::string || sub->as_string().empty())
      return invalid("no sub (a non-empty string user id is required)");
    return accepted{sub->as_string()};
  }

  jwt_options options_;
};

}  // namespace

std::unique_ptr<authenticator> make_jwt_authenticator(jwt_options options) {
  return std::make_unique<jwt_authenticator>(std::move(options));
}

}  // namespace sio::gateway::auth
