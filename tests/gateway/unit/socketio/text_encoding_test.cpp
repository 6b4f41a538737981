// Network bytes turned into strings JSON can carry, as Node would see them.
#include <doctest/doctest.h>

#include "socketio/handshake_json.hpp"
#include "socketio/text_encoding.hpp"

using namespace sio::gateway::socketio;

TEST_CASE("text: header bytes are latin1, as Node's HTTP parser reads them") {
  CHECK(latin1_to_utf8("plain") == "plain");
  CHECK(latin1_to_utf8("caf\xe9") == "caf\xc3\xa9");              // é as one latin1 byte
  CHECK(latin1_to_utf8("\xc3\xa9") == "\xc3\x83\xc2\xa9");        // UTF-8 é read as two latin1 characters
}

TEST_CASE("text: invalid UTF-8 becomes U+FFFD, valid text is kept") {
  CHECK(to_valid_utf8("h\xc3\xa9llo \xf0\x9f\x98\x80") == "h\xc3\xa9llo \xf0\x9f\x98\x80");
  CHECK(to_valid_utf8("a\xff" "b") == "a\xef\xbf\xbd" "b");
  CHECK(to_valid_utf8("\xc3") == "\xef\xbf\xbd");
}

TEST_CASE("handshake_json: request.headers rules (set-cookie array, first host kept) and odd bytes") {
  sio::gateway::engineio::handshake_info h;
  h.headers = {{"host", "a"}, {"host", "b"}, {"set-cookie", "x=1"}, {"set-cookie", "y=2"}, {"x-name", "caf\xe9"}};
  h.query = {{"q", "\xff"}};
  h.url = "/socket.io/?q=%FF";
  h.address = "127.0.0.1";
  h.secure = true;
  const std::string json = handshake_json(h, sio::value::object({}), 1764383400000);
  CHECK(json ==
        R"j({"headers":{"host":"a","set-cookie":["x=1","y=2"],"x-name":"café"},)j"
        R"j("time":"Sat Nov 29 2025 02:30:00 GMT+0000 (Coordinated Universal Time)","address":"127.0.0.1",)j"
        R"j("xdomain":false,"secure":true,"issued":1764383400000,"url":"/socket.io/?q=%FF","query":{"q":"�"},)j"
        R"j("auth":{}})j");
}
