// The JWT authenticator (--auth jwt) on tokens from unauthenticated clients: arbitrary token bytes, and tokens
// whose header and claims are fuzzed JSON signed with the authenticator's own secret, so that what follows the
// signature check (exp, nbf, sub) is reached too. A refusal is the expected outcome; a crash, an exception or an
// acceptance the token does not justify is a bug.
//
// Input: one option byte, then the rest. Its low two bits say what the rest is:
//   0  the token, as auth.token              1  the token, as "Authorization: Bearer <rest>"
//   2  claims JSON, signed under {"alg":"HS256","typ":"JWT"}
//   3  header JSON \x1e claims JSON, signed
// Bit 0x04 turns require_exp off (--jwt-exp-optional); bit 0x08 gives 60 s of leeway. The seeds (corpus/jwt_token/)
// start with a printable option byte: '0'-'3' the mode, '4'-'7' the same without require_exp, '>' claims with both.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/beast/core/detail/base64.hpp>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "auth/authenticators.hpp"
#include "auth/base64url.hpp"
#include "fuzz_check.hpp"
#include "sio/value.hpp"

namespace {

namespace auth = sio::gateway::auth;
using sio::fuzz::require;
using sio::gateway::auth::encode_base64url;

constexpr std::string_view secret = "fuzz-secret-0123456789";
constexpr std::int64_t fixed_now = 1764383400;
constexpr std::string_view fixed_header = R"({"alg":"HS256","typ":"JWT"})";

// What the authenticator accepts as a segment (unpadded base64url); nothing for anything else.
std::optional<std::string> from_base64url(std::string_view text) {
  namespace b64 = boost::beast::detail::base64;
  std::string standard(text);
  for (char& c : standard) c = c == '-' ? '+' : c == '_' ? '/' : c;
  std::string out((standard.size() + 3) / 4 * 3, '\0');  // unpadded: round up
  const auto [written, read] = b64::decode(out.data(), standard.data(), standard.size());
  if (read != standard.size()) return std::nullopt;
  out.resize(written);
  return out;
}

// The HS256 signature of `body` (base64url(header).base64url(claims)) with `secret`, base64url.
std::string signature(std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  require(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
               reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length) != nullptr,
          "HMAC-SHA256 works");
  return encode_base64url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

// header.claims.signature: what an issuer holding the secret would send.
std::string signed_token(std::string_view header, std::string_view claims) {
  std::string body = encode_base64url(header) + "." + encode_base64url(claims);
  return body + "." + signature(body);
}

// The oracle, independent of the authenticator's reader: RapidJSON's iterative SAX reader noting, for the top-level
// object, each member's name and what its value is (numbers kept as text, so none is out of range).
struct top_level_members : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, top_level_members> {
  enum class kind { string, number, other };
  struct member {
    std::string name;
    kind type;
    std::string text;  // a string's value
  };
  std::size_t depth = 0;
  bool root_is_object = false;
  std::string key;
  std::vector<member> members;

  bool value(kind type, std::string text = {}) {
    if (depth == 1) members.push_back({key, type, std::move(text)});
    return true;
  }
  bool Default() { return value(kind::other); }
  bool RawNumber(const char*, rapidjson::SizeType, bool) { return value(kind::number); }
  bool String(const char* s, rapidjson::SizeType n, bool) { return value(kind::string, std::string(s, n)); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth == 1) key.assign(s, n);
    return true;
  }
  bool StartObject() {
    if (depth == 0) root_is_object = true;
    value(kind::other);
    ++depth;
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    --depth;
    return true;
  }
  bool StartArray() {
    value(kind::other);
    ++depth;
    return true;
  }
  bool EndArray(rapidjson::SizeType) {
    --depth;
    return true;
  }

  const member* find(std::string_view name) const {
    for (const auto& m : members)
      if (m.name == name) return &m;
    return nullptr;
  }
  bool has_duplicates() const {
    for (std::size_t i = 0; i < members.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (members[i].name == members[j].name) return true;
    return false;
  }
};

top_level_members read_members(std::string_view json) {
  constexpr unsigned flags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;
  std::string text(json);
  for (;;) {
    top_level_members handler;
    rapidjson::MemoryStream stream(text.data(), text.size());
    rapidjson::Reader reader;
    const rapidjson::ParseResult result = reader.Parse<flags>(stream, handler);
    // RapidJSON refuses an exponent beyond the double range even with numbers kept as text; JSON.parse reads
    // Infinity or 0. Such a number is still a number: "0" and spaces in its place, and read again.
    if (result.Code() == rapidjson::kParseErrorNumberTooBig) {
      constexpr std::string_view number_characters = "+-.0123456789eE";
      std::size_t end = result.Offset();
      while (end < text.size() && number_characters.find(text[end]) != std::string_view::npos) ++end;
      require(end > result.Offset(), "RapidJSON points at the number it finds too big");
      text.replace(result.Offset(), end - result.Offset(), end - result.Offset(), ' ');
      text[result.Offset()] = '0';
      continue;
    }
    require(!result.IsError(), "an accepted token's segments are JSON");
    require(handler.root_is_object, "an accepted token's segments are JSON objects");
    return handler;
  }
}

// An accepted token was signed with the secret, names HS256 once, has no repeated name, and its user is its
// claims' string sub; with require_exp it has a numeric exp.
void check_accepted(const std::string& token, const std::string& user_id, bool require_exp) {
  const std::size_t first_dot = token.find('.');
  const std::size_t second_dot = token.find('.', first_dot + 1);
  require(first_dot != std::string::npos && second_dot != std::string::npos &&
              token.find('.', second_dot + 1) == std::string::npos,
          "an accepted token has three parts");
  const auto header_json = from_base64url(std::string_view(token).substr(0, first_dot));
  const auto claims_json = from_base64url(std::string_view(token).substr(first_dot + 1, second_dot - first_dot - 1));
  require(header_json && claims_json, "an accepted token's segments are base64url");
  require(signature(std::string_view(token).substr(0, second_dot)) == std::string_view(token).substr(second_dot + 1),
          "an accepted token carries the secret's signature");
  const auto header = read_members(*header_json);
  const auto claims = read_members(*claims_json);
  require(!header.has_duplicates(), "an accepted token's header names each parameter once");
  require(!claims.has_duplicates(), "an accepted token's claims name each claim once");
  const auto* alg = header.find("alg");
  require(alg != nullptr && alg->type == top_level_members::kind::string && alg->text == "HS256",
          "an accepted token is HS256");
  const auto* sub = claims.find("sub");
  require(sub != nullptr && sub->type == top_level_members::kind::string && !sub->text.empty(),
          "an accepted token has a non-empty string sub");
  require(sub->text == user_id, "the user id is the token's sub");
  if (require_exp) {
    const auto* exp = claims.find("exp");
    require(exp != nullptr && exp->type == top_level_members::kind::number, "an accepted token has a numeric exp");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t options = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const bool require_exp = (options & 0x04) == 0;
  const auto authenticator = auth::make_jwt_authenticator({.secret = std::string(secret),
                                                           .leeway = std::chrono::seconds((options & 0x08) != 0 ? 60 : 0),
                                                           .now_seconds = [] { return fixed_now; },
                                                           .require_exp = require_exp});

  std::string token;
  sio::value auth_payload = sio::value::object({});
  sio::gateway::engineio::handshake_info handshake;
  switch (options & 0x03) {
    case 0:
      token.assign(rest);
      auth_payload = sio::value::object({{"token", sio::value(token)}});
      break;
    case 1:
      token.assign(rest);
      handshake.headers = {{"authorization", "Bearer " + token}};
      break;
    case 2:
      token = signed_token(fixed_header, rest);
      auth_payload = sio::value::object({{"token", sio::value(token)}});
      break;
    default: {
      const std::size_t split = rest.find('\x1e');
      const std::string_view header = rest.substr(0, split);
      const std::string_view claims = split == std::string_view::npos ? std::string_view{} : rest.substr(split + 1);
      token = signed_token(header, claims);
      auth_payload = sio::value::object({{"token", sio::value(token)}});
    }
  }

  const auth::decision decision = authenticator->authenticate(auth_payload, handshake);
  if (const auto* refusal = std::get_if<auth::refused>(&decision)) {
    require(refusal->message.starts_with("invalid token: "), "a refusal says the token is invalid");
    return 0;
  }
  // A Bearer header's token is trimmed of spaces: check the token the authenticator read.
  if ((options & 0x03) == 1) {
    while (!token.empty() && token.front() == ' ') token.erase(0, 1);
    while (!token.empty() && token.back() == ' ') token.pop_back();
  }
  check_accepted(token, std::get<auth::accepted>(decision).user_id, require_exp);
  return 0;
}
