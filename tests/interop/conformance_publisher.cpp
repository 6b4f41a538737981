// sio-conformance-publisher: runs the cases of conformance-cases.json through the sio PUBLIC API only, in order,
// publishing a marker (emit("case", i) with key MARKER_KEY) after each case so a subscriber can attribute the
// commands. conformance.test.mjs compares what it publishes with the real Node emitter, byte for byte; the
// sharded and streams conformance tests compare it with what the real adapters publish (the options pick the mode;
// the markers always go out in classic mode).
//
//   sio-conformance-publisher REDIS_URL CASES_JSON [MARKER_KEY] [--mode classic|sharded|streams]
//       [--subscription-mode dynamic|static|dynamic-private] [--stream-name N] [--stream-count C] [--max-len L]
//
// Prints nothing on success. A refused call (sio::error) is printed on stderr with the case name; the other
// cases still run and the exit code is 1. Bad usage or an unreadable cases file: exit 2.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "sio/emitter.hpp"

namespace {

using rapidjson::Value;

[[noreturn]] void bad_case(const std::string& what) { throw std::invalid_argument(what); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  bad_case(std::string("bad hex digit '") + c + "' in a $bin marker");
}

std::vector<std::uint8_t> from_hex(const std::string& hex) {
  if (hex.size() % 2 != 0) bad_case("odd-length hex in a $bin marker");
  std::vector<std::uint8_t> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(hex_digit(hex[i]) * 16 + hex_digit(hex[i + 1])));
  }
  return out;
}

// {"$bin":"hex"} -> sio::binary, {"$date":ms} -> sio::date, anywhere in the tree; everything else unchanged.
sio::value replace_markers(const sio::value& v) {
  using kind = sio::value::kind;
  switch (v.type()) {
    case kind::array: {
      sio::value::array_type out;
      out.reserve(v.as_array().size());
      for (const auto& e : v.as_array()) out.push_back(replace_markers(e));
      return sio::value(std::move(out));
    }
    case kind::object: {
      const auto& members = v.as_object();
      if (members.size() == 1) {
        const auto& [k, inner] = members.front();
        if (k == "$bin" && inner.type() == kind::string) return sio::binary(from_hex(inner.as_string()));
        if (k == "$date" && inner.type() == kind::number) {
          return sio::date{static_cast<std::int64_t>(inner.as_number())};
        }
      }
      sio::value::object_type out;
      out.reserve(members.size());
      for (const auto& [k, e] : members) out.emplace_back(k, replace_markers(e));
      return sio::value::object(std::move(out));
    }
    default:
      return v;
  }
}

std::vector<sio::value> build_args(const Value& c) {
  if (!c.HasMember("args_json")) return {};
  const Value& text = c["args_json"];
  if (!text.IsString()) bad_case("args_json is not a string");
  std::vector<sio::value> args = sio::json_args(std::string_view(text.GetString(), text.GetStringLength()));
  for (auto& a : args) a = replace_markers(a);
  return args;
}

const Value& member(const Value& c, const char* name) {
  if (!c.HasMember(name)) bad_case(std::string("missing \"") + name + "\"");
  return c[name];
}

std::string str(const Value& v, const char* what) {
  if (!v.IsString()) bad_case(std::string(what) + " is not a string");
  return std::string(v.GetString(), v.GetStringLength());
}

// "r" or ["a", "b"]
sio::rooms rooms_of(const Value& v) {
  if (v.IsString()) return sio::rooms(str(v, "room"));
  if (!v.IsArray()) bad_case("rooms must be a string or an array of strings");
  std::vector<std::string> names;
  for (const auto& r : v.GetArray()) names.push_back(str(r, "room"));
  return sio::rooms(std::move(names));
}

// One builder call of the chain, on an Emitter or a BroadcastOperator (both have the same builder methods).
template <class Target>
sio::BroadcastOperator apply(const Target& target, const Value& step) {
  if (!step.IsArray() || step.Empty()) bad_case("a chain step must be a non-empty array");
  const std::string call = str(step[0], "chain call");
  auto arg = [&]() -> const Value& {
    if (step.Size() < 2) bad_case(call + " needs an argument");
    return step[1];
  };
  if (call == "to") return target.to(rooms_of(arg()));
  if (call == "in") return target.in(rooms_of(arg()));
  if (call == "except") return target.except(rooms_of(arg()));
  if (call == "volatile") return target.volatile_();
  if (call == "compress") {
    if (!arg().IsBool()) bad_case("compress takes a boolean");
    return target.compress(arg().GetBool());
  }
  bad_case("unknown chain call " + call);
}

template <class Target>
sio::Published run_op(const Target& target, const std::string& op, const Value& c) {
  if (op == "emit") return target.emit_sync_args(str(member(c, "event"), "event"), build_args(c));
  if (op == "socketsJoin") return target.socketsJoin(rooms_of(member(c, "rooms")));
  if (op == "socketsLeave") return target.socketsLeave(rooms_of(member(c, "rooms")));
  if (op == "disconnectSockets") {
    if (!c.HasMember("close")) return target.disconnectSockets();
    if (!member(c, "close").IsBool()) bad_case("close must be a boolean");
    return target.disconnectSockets(member(c, "close").GetBool());
  }
  bad_case("unknown op " + op);
}

class Runner {
 public:
  explicit Runner(sio::Options base) : base_(std::move(base)) {}

  // One Emitter (one connection) per key, as the Node side makes one Emitter per case on one client.
  const sio::Emitter& emitter(const std::string& key) {
    auto it = emitters_.find(key);
    if (it == emitters_.end()) {
      sio::Options options = base_;
      options.key = key;
      it = emitters_.emplace(key, sio::Emitter(std::move(options))).first;
    }
    return it->second;
  }

  void run_case(const Value& c) {
    if (!c.IsObject()) bad_case("a case must be an object");
    sio::Emitter io = emitter(c.HasMember("key") ? str(member(c, "key"), "key") : std::string("socket.io"));
    if (c.HasMember("nsp")) io = io.of(str(member(c, "nsp"), "nsp"));
    const std::string op = str(member(c, "op"), "op");

    std::optional<sio::BroadcastOperator> target;
    if (c.HasMember("chain")) {
      if (!member(c, "chain").IsArray()) bad_case("chain must be an array");
      for (const auto& step : member(c, "chain").GetArray()) target = target ? apply(*target, step) : apply(io, step);
    }
    if (op == "serverSideEmit") {
      if (target) bad_case("serverSideEmit exists only on the Emitter (no chain)");
      io.serverSideEmit_args(str(member(c, "event"), "event"), build_args(c));
    } else if (target) {
      run_op(*target, op, c);
    } else {
      run_op(io, op, c);
    }
  }

 private:
  sio::Options base_;
  std::map<std::string, sio::Emitter> emitters_;
};

std::size_t count_of(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  const unsigned long long n = std::stoull(text, &used);
  if (used != text.size() || n == 0) throw std::invalid_argument(flag + " needs a positive integer");
  return static_cast<std::size_t>(n);
}

// Positional arguments into `positional`, the adapter options into `options`; throws std::invalid_argument.
void parse_command_line(const std::vector<std::string>& args, std::vector<std::string>& positional,
                        sio::Options& options) {
  using mode = sio::Options::adapter_mode;
  using subscription = sio::Options::subscription_mode;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) {
      positional.push_back(a);
      continue;
    }
    if (i + 1 == args.size()) throw std::invalid_argument(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--mode") {
      if (v == "classic") options.mode = mode::classic;
      else if (v == "sharded") options.mode = mode::sharded;
      else if (v == "streams") options.mode = mode::streams;
      else throw std::invalid_argument("unknown --mode " + v);
    } else if (a == "--subscription-mode") {
      if (v == "dynamic") options.subscription = subscription::dynamic;
      else if (v == "static") options.subscription = subscription::static_;
      else if (v == "dynamic-private") options.subscription = subscription::dynamic_private;
      else throw std::invalid_argument("unknown --subscription-mode " + v);
    } else if (a == "--stream-name") {
      options.stream_name = v;
    } else if (a == "--stream-count") {
      options.stream_count = count_of(a, v);
    } else if (a == "--max-len") {
      options.stream_max_len = count_of(a, v);
    } else {
      throw std::invalid_argument("unknown option " + a);
    }
  }
}

std::string case_name(const Value& c, std::size_t i) {
  if (c.IsObject() && c.HasMember("name") && c["name"].IsString()) return c["name"].GetString();
  return std::string(1, '#').append(std::to_string(i));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args;
  sio::Options options;
  try {
    parse_command_line(std::vector<std::string>(argv + 1, argv + argc), args, options);
  } catch (const std::exception& e) {
    std::cerr << "sio-conformance-publisher: " << e.what() << '\n';
    return 2;
  }
  if (args.size() < 2 || args.size() > 3) {
    std::cerr << "usage: sio-conformance-publisher REDIS_URL CASES_JSON [MARKER_KEY] [--mode M] "
                 "[--subscription-mode S] [--stream-name N] [--stream-count C] [--max-len L]\n";
    return 2;
  }
  options.redis_url = args[0];
  const std::string& redis_url = args[0];
  const std::string marker_key = args.size() == 3 ? args[2] : "sio-interop-marker";

  rapidjson::Document doc;
  try {
    const std::string text = read_file(args[1]);
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError()) {
      std::cerr << "sio-conformance-publisher: " << args[1] << ": " << rapidjson::GetParseError_En(doc.GetParseError())
                << " at offset " << doc.GetErrorOffset() << '\n';
      return 2;
    }
    if (!doc.IsObject() || !doc.HasMember("cases") || !doc["cases"].IsArray()) {
      std::cerr << "sio-conformance-publisher: " << args[1] << ": expected {\"cases\": [...]}\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "sio-conformance-publisher: " << e.what() << '\n';
    return 2;
  }

  int status = 0;
  try {
    Runner runner(options);
    const sio::Emitter marker(sio::Options{.redis_url = redis_url, .key = marker_key});
    std::size_t i = 0;
    for (const auto& c : doc["cases"].GetArray()) {
      try {
        runner.run_case(c);
      } catch (const sio::error& e) {
        std::cerr << "case " << i << " \"" << case_name(c, i) << "\": refused: " << sio::to_string(e.code()) << ": "
                  << e.what() << '\n';
        status = 1;
      } catch (const std::invalid_argument& e) {
        std::cerr << "case " << i << " \"" << case_name(c, i) << "\": bad case: " << e.what() << '\n';
        status = 1;
      }
      marker.emit_sync("case", static_cast<std::int64_t>(i));
      ++i;
    }
  } catch (const std::exception& e) {
    std::cerr << "sio-conformance-publisher: " << e.what() << '\n';
    return 2;
  }
  return status;
}
