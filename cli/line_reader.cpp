#include "line_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace notify {
namespace {

constexpr std::size_t chunk_size = std::size_t{1} << 20;
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

}  // namespace

line_reader::line_reader(int fd, std::size_t max_line) : fd_(fd), max_line_(max_line), buffer_(chunk_size) {}

bool line_reader::fill() {
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) {
    // Only a line longer than the buffer gets here; next() stops keeping it past max_line_.
    buffer_.resize(std::min(buffer_.size() * 2, max_line_ + chunk_size));
  }
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "cannot read standard input");
  }
}

bool line_reader::next(input_line& line) {
  if (at_start_) {
    while (!eof_ && end_ - begin_ < utf8_bom.size()) fill();
    if (std::string_view(buffer_.data() + begin_, end_ - begin_).starts_with(utf8_bom)) begin_ += utf8_bom.size();
    at_start_ = false;
  }
  bool skipping = false;       // the line is too long: its bytes are dropped as they come
  std::size_t scanned = begin_;  // bytes before this hold no '\n'
  for (;;) {
    if (const void* found = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned)) {
      const auto newline = static_cast<std::size_t>(static_cast<const char*>(found) - buffer_.data());
      line.number = ++number_;
      line.too_long = skipping;
      line.text = skipping ? std::string_view() : std::string_view(buffer_.data() + begin_, newline - begin_);
      begin_ = newline + 1;
      return true;
    }
    if (eof_) {
      if (begin_ == end_ && !skipping) return false;
      line.number = ++number_;  // the last line has no '\n'
      line.too_long = skipping;
      line.text = skipping ? std::string_view() : std::string_view(buffer_.data() + begin_, end_ - begin_);
      begin_ = end_;
      return true;
    }
    if (end_ - begin_ > max_line_) skipping = true;
    if (skipping) begin_ = end_ = 0;  // drop what was read of it
    const std::size_t kept = end_ - begin_;
    fill();
    scanned = begin_ + kept;
  }
}

}  // namespace notify
