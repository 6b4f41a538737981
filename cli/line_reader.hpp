// line_reader.hpp: lines of a file descriptor (standard input for `notify --stdin`), read in big chunks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace notify {

// One line of input, without its '\n' (a trailing '\r' is kept: JSON takes it as whitespace).
struct input_line {
  std::uint64_t number = 0;  // 1-based
  std::string_view text;     // valid until the next call to next()
  bool too_long = false;     // longer than the limit: text is empty, the rest of the line was skipped
};

// Reads with read(2) into one buffer (1 MiB, grown only for a line longer than that, up to the limit), so the
// memory used is bounded by the longest line, never by the input. A UTF-8 byte order mark at the very start is
// skipped. Throws std::system_error when reading fails.
class line_reader {
 public:
  static constexpr std::size_t default_max_line = std::size_t{16} << 20;

  explicit line_reader(int fd, std::size_t max_line = default_max_line);

  // The next line, false at the end of the input (a last line without '\n' is still a line).
  bool next(input_line& line);

 private:
  // Moves the unread bytes to the front and reads more; false at the end of the input.
  bool fill();

  int fd_;
  std::size_t max_line_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unread byte
  std::size_t end_ = 0;    // one past the last byte read
  bool eof_ = false;
  bool at_start_ = true;
  std::uint64_t number_ = 0;
};

}  // namespace notify
