// --auth trusted: auth.userId is the user id.
#include <doctest/doctest.h>

#include <variant>

#include "auth/authenticators.hpp"

namespace auth = sio::gateway::auth;

namespace {

auth::decision decide(const char* auth_json) {
  const auto trusted = auth::make_trusted_authenticator();
  return trusted->authenticate(sio::json(auth_json), sio::gateway::engineio::handshake_info{});
}

std::string accepted_id(const auth::decision& d) {
  REQUIRE(std::holds_alternative<auth::accepted>(d));
  return std::get<auth::accepted>(d).user_id;
}

std::string refusal(const auth::decision& d) {
  REQUIRE(std::holds_alternative<auth::refused>(d));
  return std::get<auth::refused>(d).message;
}

}  // namespace

TEST_CASE("trusted: a string userId is the user id, as given") {
  CHECK(accepted_id(decide(R"({"userId":"42"})")) == "42");
  CHECK(accepted_id(decide(R"({"userId":"alice@example.com","other":1})")) == "alice@example.com");
}

TEST_CASE("trusted: an integral number is written as JavaScript would") {
  CHECK(accepted_id(decide(R"({"userId":42})")) == "42");
  CHECK(accepted_id(decide(R"({"userId":-7})")) == "-7");
  CHECK(accepted_id(decide(R"({"userId":1e21})")) == "1e+21");
  CHECK(accepted_id(decide(R"({"userId":12345678901234567890})")) == "12345678901234567000");
  CHECK(accepted_id(decide(R"({"userId":1.0})")) == "1");
}

TEST_CASE("trusted: missing or invalid userId is refused with a message naming it") {
  CHECK(refusal(decide("{}")).find("missing userId") == 0);
  CHECK(refusal(decide(R"({"userId":null})")).find("missing userId") == 0);
  CHECK(refusal(decide(R"({"userId":""})")) == "invalid userId: empty string");
  CHECK(refusal(decide(R"({"userId":1.5})")) == "invalid userId: not an integer");
  CHECK(refusal(decide(R"({"userId":true})")) == "invalid userId: must be a string or an integer");
  CHECK(refusal(decide(R"({"userId":{"id":1}})")) == "invalid userId: must be a string or an integer");
  CHECK(refusal(decide(R"({"token":"abc"})")).find("missing userId") == 0);
}
