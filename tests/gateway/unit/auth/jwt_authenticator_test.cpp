// --auth jwt: HS256 tokens only, signature, exp, nbf and sub checked. Fixed tokens were made with Node's crypto
// (HMAC over base64url(header).base64url(claims)), others with libjwt in the test, and those whose JSON libjwt
// would rewrite (repeated names, deep nesting) by hs256_token() here.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/authenticators.hpp"
#include "auth/base64url.hpp"

namespace auth = sio::gateway::auth;
using sio::gateway::auth::encode_base64url;
using sio::gateway::engineio::handshake_info;

namespace {

constexpr const char* secret = "test-secret-0123456789";
constexpr std::int64_t fixed_now = 1764383400;  // 2025-11-29, between the fixed tokens' times

// sub "42", iat 1700000000, exp 4102444800 (2100), HS256 with `secret`.
constexpr const char* valid_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwfQ."
    "vYBuOC1mT8W9ZCKHYgS7V7it238-uXsJmk0xnLWgkAU";
// Same claims (no iat) signed with "other-secret".
constexpr const char* other_secret_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImV4cCI6NDEwMjQ0NDgwMH0."
    "Xl2IYX206hsR28Osar8Qp_7MIobBClWAoFJMQOtM9So";
// {"alg":"none"}, unsigned.
constexpr const char* alg_none_token =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI0MiIsImV4cCI6NDEwMjQ0NDgwMH0.";
// {"alg":"none"} carrying an HS256 signature made with `secret`.
constexpr const char* alg_none_signed_token =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiI0MiIsImV4cCI6NDEwMjQ0NDgwMH0."
    "NhlCORrUzeKreRWYBdC5ybDaqzK0EY40wIdRFMGA4C8";
// HS512 with `secret`: a correct signature, but the wrong algorithm.
constexpr const char* hs512_token =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImV4cCI6NDEwMjQ0NDgwMH0."
    "pXrGKdzv3LuG5KS0x5yn-G00YoHBKCr0_nPxVKsCvIYjpOI6SGYdN8X6CspOjtdF7dHmmmkvZKtOVMn0hm-rSA";
// exp 1600000000 (2020).
constexpr const char* expired_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImV4cCI6MTYwMDAwMDAwMH0."
    "99nAL0cJlgvw9QMNR0TJKo7sxyTXwUJS29nwdaX0Kmw";
// nbf 4102444800 (2100), exp an hour later.
constexpr const char* future_nbf_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsIm5iZiI6NDEwMjQ0NDgwMCwiZXhwIjo0MTAyNDQ4NDAwfQ."
    "lHKkqzfDNz66oN9AvI7Ew-zJ7Vl6NJRMeIY1bYHnVg0";
// {"exp":4102444800}: no sub.
constexpr const char* no_sub_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjQxMDI0NDQ4MDB9.VFEmNoaxC9kWqZZvq6UHl9iy9xbGeTx0cGGIY1aZPHY";
// {"sub":42,...}: sub not a string.
constexpr const char* numeric_sub_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOjQyLCJleHAiOjQxMDI0NDQ4MDB9."
    "H-OuUBuBceD1gSmC_4gR8EzjK8KqESGUM8gSSG7hNMg";

std::unique_ptr<auth::authenticator> make(std::int64_t now = fixed_now, std::chrono::seconds leeway = {},
                                          bool require_exp = true) {
  return auth::make_jwt_authenticator(
      {.secret = secret, .leeway = leeway, .now_seconds = [now] { return now; }, .require_exp = require_exp});
}

sio::value auth_with_token(const std::string& token) { return sio::value::object({{"token", sio::value(token)}}); }

auth::decision decide(const std::string& token, std::int64_t now = fixed_now) {
  return make(now)->authenticate(auth_with_token(token), handshake_info{});
}

std::string accepted_id(const auth::decision& d) {
  if (const auto* r = std::get_if<auth::refused>(&d)) FAIL("refused: " << r->message);
  return std::get<auth::accepted>(d).user_id;
}

std::string refusal(const auth::decision& d) {
  REQUIRE(std::holds_alternative<auth::refused>(d));
  return std::get<auth::refused>(d).message;
}

// A token made by libjwt: HS256 (or `alg`) with `key`, the given grants.
std::string libjwt_token(const char* claims_json, jwt_alg_t alg = JWT_ALG_HS256, const std::string& key = secret) {
  jwt_t* raw = nullptr;
  REQUIRE(jwt_new(&raw) == 0);
  const std::unique_ptr<jwt_t, void (*)(jwt_t*)> j(raw, jwt_free);
  REQUIRE(jwt_add_grants_json(j.get(), claims_json) == 0);
  REQUIRE(jwt_set_alg(j.get(), alg, reinterpret_cast<const unsigned char*>(key.data()),
                      static_cast<int>(key.size())) == 0);
  char* encoded = jwt_encode_str(j.get());
  REQUIRE(encoded != nullptr);
  std::string token(encoded);
  std::free(encoded);
  return token;
}

// A token whose header and claims are exactly this JSON text, HS256-signed with `secret` as Node's createHmac
// would sign it.
std::string hs256_token(std::string_view header_json, std::string_view claims_json) {
  const std::string body = encode_base64url(header_json) + "." + encode_base64url(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REQUIRE(HMAC(EVP_sha256(), secret, static_cast<int>(std::string_view(secret).size()),
               reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &length) != nullptr);
  return body + "." + encode_base64url(std::string_view(reinterpret_cast<const char*>(mac), length));
}

constexpr const char* hs256_header = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

TEST_CASE("jwt: a valid HS256 token made by Node is accepted, sub is the user id") {
  CHECK(accepted_id(decide(valid_token)) == "42");
}

TEST_CASE("jwt: a valid HS256 token made by libjwt is accepted") {
  CHECK(accepted_id(decide(libjwt_token(R"({"sub":"user-7","exp":1764387000})"))) == "user-7");
  CHECK(accepted_id(decide(hs256_token(hs256_header, R"({"sub":"user-8","exp":1764387000})"))) == "user-8");
}

TEST_CASE("jwt: the token may come from an Authorization: Bearer header") {
  handshake_info handshake;
  handshake.headers = {{"host", "127.0.0.1"}, {"authorization", std::string("Bearer ") + valid_token}};
  CHECK(accepted_id(make()->authenticate(sio::value::object({}), handshake)) == "42");
  handshake.headers = {{"authorization", std::string("bearer ") + valid_token}};
  CHECK(accepted_id(make()->authenticate(sio::value::object({}), handshake)) == "42");
  // auth.token wins over the header.
  CHECK(refusal(make()->authenticate(auth_with_token(expired_token), handshake)) == "invalid token: expired");
  handshake.headers = {{"authorization", std::string("Basic ") + valid_token}};
  CHECK(refusal(make()->authenticate(sio::value::object({}), handshake)).find("invalid token: missing") == 0);
}

TEST_CASE("jwt: missing or non-string tokens are refused") {
  CHECK(refusal(make()->authenticate(sio::value::object({}), handshake_info{})).find("invalid token: missing") == 0);
  CHECK(refusal(decide("")).find("invalid token: missing") == 0);
  CHECK(refusal(make()->authenticate(sio::json(R"({"token":42})"), handshake_info{})) ==
        "invalid token: auth.token is not a string");
}

TEST_CASE("jwt: malformed tokens are refused as malformed") {
  CHECK(refusal(decide("not.a.jwt")).find("invalid token: malformed") == 0);
  CHECK(refusal(decide("garbage")).find("invalid token: malformed") == 0);
  CHECK(refusal(decide("a.b.c.d")).find("invalid token: malformed") == 0);
  CHECK(refusal(decide("eyJhbGciOiJIUzI1NiJ9.!!!.sig")).find("invalid token: malformed") == 0);
}

TEST_CASE("jwt: a token signed with another secret has a bad signature") {
  CHECK(refusal(decide(other_secret_token)) == "invalid token: bad signature");
  CHECK(refusal(decide(libjwt_token(R"({"sub":"42"})", JWT_ALG_HS256, "other-secret"))) ==
        "invalid token: bad signature");
  // The claims of one valid token with the signature of another.
  const std::string valid(valid_token);
  const std::string other(other_secret_token);
  const std::string spliced = valid.substr(0, valid.rfind('.')) + other.substr(other.rfind('.'));
  CHECK(refusal(decide(spliced)) == "invalid token: bad signature");
}

TEST_CASE("jwt: alg none is never accepted, signed or not") {
  CHECK(refusal(decide(alg_none_token)) == "invalid token: wrong algorithm none (only HS256 is accepted)");
  CHECK(refusal(decide(alg_none_signed_token)) == "invalid token: wrong algorithm none (only HS256 is accepted)");
}

TEST_CASE("jwt: HS512 (and HS384) are refused even with the right secret") {
  CHECK(refusal(decide(hs512_token)) == "invalid token: wrong algorithm HS512 (only HS256 is accepted)");
  CHECK(refusal(decide(libjwt_token(R"({"sub":"42"})", JWT_ALG_HS384))) ==
        "invalid token: wrong algorithm HS384 (only HS256 is accepted)");
}

TEST_CASE("libjwt 1.10 alone accepts HS512 with the HS256 secret: why the gateway checks alg first") {
  // This documents the library behaviour the authenticator guards against.
  jwt_t* raw = nullptr;
  const int hs512 = jwt_decode(&raw, hs512_token, reinterpret_cast<const unsigned char*>(secret),
                               static_cast<int>(std::string(secret).size()));
  CHECK(hs512 == 0);  // libjwt verifies with whatever algorithm the token names
  if (raw != nullptr) CHECK(jwt_get_alg(raw) == JWT_ALG_HS512);
  jwt_free(raw);
  raw = nullptr;
  const int none = jwt_decode(&raw, alg_none_token, reinterpret_cast<const unsigned char*>(secret),
                              static_cast<int>(std::string(secret).size()));
  CHECK(none != 0);  // refused with a key (EINVAL); the gateway never relies on it
  jwt_free(raw);
}

TEST_CASE("jwt: expiry, with leeway") {
  CHECK(refusal(decide(expired_token)) == "invalid token: expired");
  const std::string token = libjwt_token(R"({"sub":"42","exp":1764383400})");
  CHECK(refusal(decide(token, 1764383400)) == "invalid token: expired");  // exp is the first invalid second
  CHECK(accepted_id(decide(token, 1764383399)) == "42");
  const auto lenient = make(1764383405, std::chrono::seconds(10));
  CHECK(std::get<auth::accepted>(lenient->authenticate(auth_with_token(token), handshake_info{})).user_id == "42");
  const auto strict = make(1764383411, std::chrono::seconds(10));
  CHECK(std::get<auth::refused>(strict->authenticate(auth_with_token(token), handshake_info{})).message ==
        "invalid token: expired");
}

TEST_CASE("jwt: nbf in the future is not yet valid") {
  CHECK(refusal(decide(future_nbf_token)) == "invalid token: not yet valid (nbf)");
  CHECK(accepted_id(decide(future_nbf_token, 4102444800)) == "42");
  const std::string token = libjwt_token(R"({"sub":"42","nbf":1764383460,"exp":4102444800})");
  CHECK(refusal(decide(token)) == "invalid token: not yet valid (nbf)");
  const auto lenient = make(fixed_now, std::chrono::seconds(60));
  CHECK(std::get<auth::accepted>(lenient->authenticate(auth_with_token(token), handshake_info{})).user_id == "42");
}

TEST_CASE("jwt: sub must be a non-empty string") {
  CHECK(refusal(decide(no_sub_token)).find("invalid token: no sub") == 0);
  CHECK(refusal(decide(numeric_sub_token)).find("invalid token: no sub") == 0);
  CHECK(refusal(decide(libjwt_token(R"({"sub":"","exp":4102444800})"))).find("invalid token: no sub") == 0);
}

TEST_CASE("jwt: an empty secret is a configuration error") {
  CHECK_THROWS_AS(auth::make_jwt_authenticator({}), std::invalid_argument);
}

TEST_CASE("jwt: a header nested a million levels deep is refused as malformed without recursing") {
  // base64url of "[[[[...": before the signature is looked at, so anyone can send it. A recursive parser
  // overflowed the stack on ~110,000 levels (issue 24).
  const std::string deep(1000000, '[');
  const std::string claims = encode_base64url(R"({"sub":"42","exp":4102444800})");
  CHECK(refusal(decide(encode_base64url(deep) + "." + claims + ".c2ln")) == "invalid token: malformed header");
  CHECK(refusal(decide(encode_base64url(std::string(1000000, '{')) + "." + claims + ".c2ln")) ==
        "invalid token: malformed header");
  // 512 levels is JSON the reader takes, but not an object.
  CHECK(refusal(decide(encode_base64url(std::string(512, '[') + std::string(512, ']')) + "." + claims + ".c2ln")) ==
        "invalid token: malformed header");
}

TEST_CASE("jwt: claims nested deeper than the reader limit are refused as malformed even when signed") {
  const std::string deep_member = R"({"sub":"42","exp":4102444800,"x":)" + std::string(100000, '[') +
                                  std::string(100000, ']') + "}";
  CHECK(refusal(decide(hs256_token(hs256_header, deep_member))) == "invalid token: malformed claims");
  CHECK(refusal(decide(encode_base64url(hs256_header) + "." + encode_base64url(std::string(1000000, '[')) + ".c2ln")) ==
        "invalid token: malformed claims");
  // Nesting the reader takes is no reason to refuse.
  const std::string nested =
      R"({"sub":"42","exp":4102444800,"x":)" + std::string(400, '[') + std::string(400, ']') + "}";
  CHECK(accepted_id(decide(hs256_token(hs256_header, nested))) == "42");
}

TEST_CASE("jwt: a validly signed token that repeats a claim name is refused, whichever value comes last") {
  // JSON.parse (every Node JWT library) reads the last sub, 42; the first would be user 43. Neither may join.
  CHECK(refusal(decide(hs256_token(hs256_header, R"({"sub":"43","sub":"42","exp":4102444800})"))) ==
        R"(invalid token: duplicate claim name "sub")");
  CHECK(refusal(decide(hs256_token(hs256_header, R"({"sub":"42","exp":1600000000,"exp":4102444800})"))) ==
        R"(invalid token: duplicate claim name "exp")");
  // The same name spelled with an escape is the same name.
  CHECK(refusal(decide(hs256_token(hs256_header, R"({"sub":"43","s\u0075b":"42","exp":4102444800})"))) ==
        R"(invalid token: duplicate claim name "sub")");
  // The name is shown as JSON, whatever it holds.
  CHECK(refusal(decide(hs256_token(hs256_header, R"({"sub":"42","exp":4102444800,"a\"b":1,"a\"b":2})"))) ==
        R"(invalid token: duplicate claim name "a\"b")");
  // Only top-level names are claim names: repeats inside a claim's value are the claim's own business.
  CHECK(accepted_id(decide(hs256_token(hs256_header, R"({"sub":"42","exp":4102444800,"ctx":{"a":1,"a":2}})"))) ==
        "42");
}

TEST_CASE("jwt: a header that repeats a parameter is refused") {
  const char* claims = R"({"sub":"42","exp":4102444800})";
  CHECK(refusal(decide(hs256_token(R"({"alg":"HS256","alg":"none","typ":"JWT"})", claims))) ==
        R"(invalid token: duplicate header parameter "alg")");
  CHECK(refusal(decide(hs256_token(R"({"alg":"none","alg":"HS256"})", claims))) ==
        R"(invalid token: duplicate header parameter "alg")");
  CHECK(refusal(decide(hs256_token(R"({"alg":"HS256","typ":"JWT","typ":"JWT"})", claims))) ==
        R"(invalid token: duplicate header parameter "typ")");
}

TEST_CASE("jwt: a token without exp is refused by default, accepted with require_exp false") {
  const std::string no_exp = libjwt_token(R"({"sub":"no-exp","iat":1764383000})");
  CHECK(refusal(decide(no_exp)) ==
        "invalid token: no exp (the token must expire; --jwt-exp-optional accepts tokens without one)");
  const auto optional = make(fixed_now, {}, false);
  CHECK(accepted_id(optional->authenticate(auth_with_token(no_exp), handshake_info{})) == "no-exp");
  // An exp that is there is still checked, and nbf too.
  CHECK(refusal(optional->authenticate(auth_with_token(expired_token), handshake_info{})) ==
        "invalid token: expired");
  CHECK(refusal(optional->authenticate(auth_with_token(libjwt_token(R"({"sub":"42","nbf":4102444800})")),
                                       handshake_info{})) == "invalid token: not yet valid (nbf)");
  // exp is checked before sub: a token with neither names the missing exp.
  CHECK(refusal(decide(libjwt_token(R"({"iat":1764383000})"))).find("invalid token: no exp") == 0);
  CHECK(refusal(decide(hs256_token(hs256_header, R"({"sub":"42","exp":"4102444800"})"))) ==
        "invalid token: malformed claims (exp is not a number)");
}
