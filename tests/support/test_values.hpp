// Small helpers the integration tests share for reading decoded values and failures.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "sio/error.hpp"
#include "sio/value.hpp"

namespace sio::test {

// The member `key` of an object, or undefined when it is missing or `object` is not an object.
inline const sio::value& member(const sio::value& object, std::string_view key) {
  static const sio::value undefined = sio::value::undefined();
  if (object.type() != sio::value::kind::object) return undefined;
  for (const auto& [name, v] : object.as_object())
    if (name == key) return v;
  return undefined;
}

// What `call` throws, or "(no exception)": for checking an error's message, not only its type.
template <class F>
std::string error_message_of(F&& call) {
  try {
    call();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

// The code and message of the sio::error `call` throws; code ok and no message when it throws none.
struct failure {
  sio::errc code = sio::errc::ok;
  std::string message;
};

template <class F>
failure failure_of(F&& call) {
  try {
    call();
  } catch (const sio::error& e) {
    return {e.code(), e.what()};
  }
  return {};
}

}  // namespace sio::test
