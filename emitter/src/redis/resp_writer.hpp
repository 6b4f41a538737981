// RESP request framing (*N $len arg ...), written by hand into a caller's buffer: hiredis' formatter allocates a
// new buffer per command, and the publish hot path must not allocate.
#pragma once

#include <array>
#include <charconv>
#include <string>
#include <string_view>

namespace sio::detail {

inline void append_resp_count(std::string& out, char kind, std::size_t count) {
  std::array<char, 24> digits{};
  const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), count).ptr;
  out += kind;
  out.append(digits.data(), end);
  out += "\r\n";
}

inline void append_bulk(std::string& out, std::string_view arg) {
  append_resp_count(out, '$', arg.size());
  out.append(arg);
  out += "\r\n";
}

// One command of any arity: `args` is a range of string_view-convertible arguments.
template <typename Args>
void append_command(std::string& out, const Args& args) {
  append_resp_count(out, '*', std::size(args));
  for (const auto& arg : args) append_bulk(out, arg);
}

}  // namespace sio::detail
