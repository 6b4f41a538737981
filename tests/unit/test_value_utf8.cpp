// Strict UTF-8 validation: what we refuse to publish.
#include <doctest/doctest.h>

#include <string>

#include "sio/error.hpp"
#include "sio/internal/value/utf8.hpp"

using sio::detail::find_invalid_utf8;

TEST_CASE("utf8: valid text") {
  CHECK_FALSE(find_invalid_utf8(""));
  CHECK_FALSE(find_invalid_utf8("plain ascii \x7f"));
  CHECK_FALSE(find_invalid_utf8(std::string("nul \0 inside", 12)));
  CHECK_FALSE(find_invalid_utf8("\xc2\x80 \xdf\xbf"));                               // U+0080, U+07FF
  CHECK_FALSE(find_invalid_utf8("\xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80"));          // U+0800, U+D7FF, U+E000
  CHECK_FALSE(find_invalid_utf8("\xef\xbf\xbf \xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));  // U+FFFF, U+10000, U+10FFFF
  CHECK_FALSE(find_invalid_utf8("é€😀\u2028"));
}

TEST_CASE("utf8: invalid sequences and the offset of the first one") {
  CHECK(find_invalid_utf8("\x80") == 0u);      // lone continuation byte
  CHECK(find_invalid_utf8("ab\xff") == 2u);    // never valid
  CHECK(find_invalid_utf8("\xc0\xaf") == 0u);  // overlong 2-byte
  CHECK(find_invalid_utf8("\xc1\xbf") == 0u);
  CHECK(find_invalid_utf8("x\xe0\x80\xaf") == 1u);     // overlong 3-byte
  CHECK(find_invalid_utf8("\xf0\x80\x80\xaf") == 0u);  // overlong 4-byte
  CHECK(find_invalid_utf8("ok\xed\xa0\x80") == 2u);    // U+D800 (surrogate)
  CHECK(find_invalid_utf8("\xed\xbf\xbf") == 0u);      // U+DFFF
  CHECK(find_invalid_utf8("\xf4\x90\x80\x80") == 0u);  // U+110000
  CHECK(find_invalid_utf8("\xf5\x80\x80\x80") == 0u);
  CHECK(find_invalid_utf8("é\xe2\x82") == 2u);  // truncated at the end
  CHECK(find_invalid_utf8("\xe2\x82x") == 0u);  // truncated before ASCII
  CHECK(find_invalid_utf8("\xc3\xa9\xc3") == 2u);
  CHECK(find_invalid_utf8("\xf0\x9f\x98") == 0u);
}

TEST_CASE("utf8: require_utf8 names what and where") {
  CHECK_NOTHROW(sio::detail::require_utf8("room:é", "room"));
  try {
    sio::detail::require_utf8("abc\xff", "room");
    FAIL("no exception");
  } catch (const sio::data_error& e) {
    CHECK(e.code() == sio::errc::invalid_utf8);
    CHECK(std::string(e.what()) == "invalid UTF-8 in room at byte 3");
  }
}
