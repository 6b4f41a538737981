#include "options.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/duration.hpp"
#include "exit_codes.hpp"
#include "sio/version.hpp"

namespace notify {
namespace {

constexpr std::string_view description =
    "notify: publish Socket.IO events through Redis, byte-for-byte like @socket.io/redis-emitter 5.1.0.";

constexpr std::string_view examples =
    "Examples:\n"
    "  notify --user 42 --type ORDER_UPDATED --payload '{\"orderId\":7}'\n"
    "  notify --room lobby --event chat --arg '\"hello\"' --arg '{\"from\":\"ops\"}'\n"
    "  notify --nsp admin --user 42 join vip\n"
    "  notify --room vip disconnect --close\n"
    "  notify server-emit reload-config --args '[{\"force\":true}]'\n"
    "  notify --dry-run --user 42 --type PING --timestamp 1700000000000\n"
    "  notify --user 42 --type ORDER_UPDATED --fallback 'mail -s \"order update\" ops@example.com'\n"
    "  notify sockets --user 42\n"
    "  notify --stdin --type ORDER_UPDATED < orders.ndjson   # lines like {\"user\":42,\"payload\":{\"orderId\":7}}\n";

constexpr std::string_view batch_help =
    "Batch mode (--stdin): one operation per line of standard input, a JSON object (NDJSON), e.g.\n"
    "  {\"user\":\"42\",\"type\":\"ORDER_UPDATED\",\"payload\":{\"orderId\":7},\"timestamp\":1764336000000}\n"
    "  {\"room\":[\"a\",\"b\"],\"except\":\"c\",\"event\":\"tick\",\"args\":[1,2],\"volatile\":true,"
    "\"compress\":false}\n"
    "  {\"op\":\"join\",\"user\":7,\"rooms\":[\"vip\"]}  {\"op\":\"disconnect\",\"room\":\"x\",\"close\":true}\n"
    "  {\"op\":\"server-emit\",\"nsp\":\"/admin\",\"event\":\"reload\",\"arg\":{\"force\":true}}\n"
    "Fields, as the flags: op (emit, join, leave, disconnect or server-emit; default: the subcommand, else emit),\n"
    "  nsp, user (a string or an integer), room-prefix, room, except, rooms (of join/leave; each of the three a\n"
    "  string or an array of strings), type, payload (any JSON value), timestamp (integer ms), event, arg (one\n"
    "  JSON value), args (an array), volatile, compress (false: --no-compress), close (true or false).\n"
    "Flags given with --stdin are defaults for every line whose operation takes them; a line's field replaces\n"
    "  the flag (its arg/args replace --type/--payload/--timestamp, and the other way round). Blank lines and\n"
    "  lines starting with # are skipped; line numbers count every line.\n"
    "Emits are pipelined on one connection. A bad line or a publish Redis fails is reported on stderr as\n"
    "  \"notify: line N: ...\" (\"lines N-M\" when consecutive lines fail alike) and the other lines still go;\n"
    "  the exit status is then 8 (or 4, 5 or 6 when no line was published and all failed alike at Redis).\n"
    "  The summary (lines, sent, failed, receivers, time) goes to stderr with -v or when something failed, and\n"
    "  to stdout as JSON with --json. --require-receivers makes a line with 0 receivers an error (exit 7 if\n"
    "  nothing else failed). Redis unreachable at the start, or again later, stops the run (exit 4, 5 or 6).\n";

constexpr std::string_view durations_help =
    "Durations (--timeout, --retry-delay, --deadline): 500ms, 2s, 1.5 (a bare number is seconds), 2m or 1h, in\n"
    "  whole milliseconds; sio-gateway reads its durations the same way.\n";

constexpr std::string_view retries_help =
    "Retries (--retry N): when Redis is unreachable (4) or does not answer in time (6), the whole command runs\n"
    "  again, up to N more times, each after a random delay of up to --retry-delay, a bound that doubles with\n"
    "  each retry up to 2s; -v says \"attempt A failed: ...; retrying in D ms\". Bad input (2, 3), a refusal (5)\n"
    "  and the servers' answers (7, 9, or 6 when servers were slow to answer) are final: never retried.\n"
    "  A publish that timed out may have reached Redis: retried, it may arrive twice (at least once, not lost).\n"
    "  --deadline DURATION bounds the whole run: each attempt's --timeout is cut to the time left, a backoff\n"
    "  ends at the deadline and no attempt starts after it. Giving up (retries exhausted or deadline passed)\n"
    "  says \"gave up after A attempts in T ms: <last error>\" and exits with that error's code, 4 or 6.\n"
    "  --stdin retries the first connection, before any line is read; later, a lost connection is waited for\n"
    "  (N attempts per outage; --deadline bounds the run's waiting) and the lines it took are sent again (at\n"
    "  least once; those Redis acknowledged never twice); the summary counts them as retried.\n";

constexpr std::string_view requests_help =
    "Requests (--confirm, --acks, --fallback, sockets) ask every Socket.IO server of the namespace and wait up\n"
    "  to --timeout for all the answers; \"K of M servers answered\" counts them.\n"
    "  --confirm prints \"delivered to N socket(s) (K of M servers answered)\": exit 0 when N > 0 (a warning\n"
    "  when K < M), 9 when N is 0 and every server answered, 6 when N is 0 and some did not answer in time.\n"
    "  --acks (implies --confirm) adds \"acknowledged by A of N\" and each client's acknowledgement as JSON, one\n"
    "  per line (a warning when A < N). server-emit --acks prints \"answered by K of M servers\" and each\n"
    "  server's acknowledgement as JSON; exit 6 when some server did not answer in time.\n"
    "  --fallback CMD (implies --confirm) runs /bin/sh -c CMD when no socket got the notification (N is 0;\n"
    "  never with --dry-run). Its standard input is one line, the notification's JSON (the event's only\n"
    "  argument, else the array of its arguments); its environment adds SIO_EVENT, SIO_NSP, SIO_ROOMS (one per\n"
    "  line), SIO_NOTIFICATION (as stdin, when under 128 KiB) and, with --user, SIO_USER. Exit 0 when it\n"
    "  succeeds, 10 when not.\n"
    "  sockets prints one line per socket, \"<id><TAB><rooms, comma-separated>\" (--ids: the ids only); exit 9\n"
    "  when none was found. --json prints one object: servers, answered, timed_out and the results.\n";

std::string help_footer() {
  std::string footer = "Exit codes:\n";
  for (const auto& [code, meaning] : exit_code_descriptions) {
    footer += fmt::format("  {:<2} {}\n", to_int(code), meaning);
  }
  footer += "\n";
  footer += durations_help;
  footer += "\n";
  footer += retries_help;
  footer += "\n";
  footer += requests_help;
  footer += "\n";
  footer += batch_help;
  footer += "\n";
  footer += examples;
  return footer;
}

bool given(const CLI::Option* option) { return option != nullptr && option->count() > 0; }

// Each occurrence of a repeatable option takes exactly one value, so `--room a join b` leaves b to join.
CLI::Option* repeatable(CLI::Option* option) { return option->expected(1)->take_all()->allow_extra_args(false); }

// The CLI11 definitions, the values they fill, and the checks CLI11 cannot express.
class command_line {
 public:
  command_line() : app_{std::string(description), "notify"} {
    app_.footer(help_footer());
    app_.set_help_flag("-h,--help", "Print this help and exit");
    app_.set_version_flag("--version", std::string("notify ") + sio::version(), "Print the version and exit");
    app_.get_formatter()->column_width(34);
    app_.require_subcommand(0, 1);
    add_connection_options();
    add_target_options();
    add_emit_options();
    add_request_options();
    add_output_options();
    add_batch_options();
    add_subcommands();
  }

  parse_outcome parse(int argc, const char* const* argv) {
    try {
      app_.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return {std::nullopt, app_.exit(e, std::cout, std::cerr)};
    } catch (const CLI::CallForAllHelp& e) {
      return {std::nullopt, app_.exit(e, std::cout, std::cerr)};
    } catch (const CLI::CallForVersion& e) {
      return {std::nullopt, app_.exit(e, std::cout, std::cerr)};
    } catch (const CLI::ExtrasError&) {
      throw usage_error(unexpected_argument(argc, argv));
    } catch (const CLI::ParseError& e) {
      throw usage_error(from_environment(e.what(), argc, argv));
    }
    options_.cmd = parsed_command();
    read_mode_texts();
    check_combinations();
    return {finish(), 0};
  }

 private:
  void add_connection_options() {
    redis_ = app_.add_option("--redis", options_.redis_url,
                             "redis://[user[:password]@]host[:port][/db]; also rediss:// (TLS), unix:///path, "
                             "redis+cluster://, redis+sentinel://")
                 ->type_name("URL")
                 ->envname("REDIS_URL")
                 ->capture_default_str()
                 ->group("Connection");
    app_.add_option("--key", options_.key, "Channel prefix: the servers' createAdapter() key")
        ->type_name("KEY")
        ->envname("SIO_KEY")
        ->capture_default_str()
        ->group("Connection");
    add_mode_options();
    app_.add_option("--timeout", timeout_text_, "Connect, command and answers timeout: 500ms, 2s, 1.5 (seconds)")
        ->type_name("DURATION")
        ->capture_default_str()
        ->group("Connection");
    app_.add_option("--retry", retry_text_, "Redis unreachable or timed out: try N more times (see Retries)")
        ->type_name("N")
        ->capture_default_str()
        ->group("Connection");
    app_.add_option("--retry-delay", retry_delay_text_, "Bound of the first random backoff; doubles per retry up to 2s")
        ->type_name("DURATION")
        ->capture_default_str()
        ->group("Connection");
    deadline_ = app_.add_option("--deadline", deadline_text_, "Bound on the whole run, retries and backoff included")
                    ->type_name("DURATION")
                    ->group("Connection");
    add_tls_options();
  }

  // Which adapter the servers run decides the command and its encoding (README: Which mode).
  void add_mode_options() {
    app_.add_option("--mode", mode_text_, "The servers' adapter: classic, sharded or streams")
        ->check(CLI::IsMember({"classic", "sharded", "streams"}))
        ->type_name("MODE")
        ->envname("SIO_MODE")
        ->capture_default_str()
        ->group("Connection");
    app_.add_option("--subscription-mode", subscription_text_,
                    "sharded: the servers' subscriptionMode (dynamic, static, dynamic-private)")
        ->check(CLI::IsMember({"dynamic", "static", "dynamic-private"}))
        ->type_name("MODE")
        ->envname("SIO_SUBSCRIPTION_MODE")
        ->capture_default_str()
        ->group("Connection");
    app_.add_option("--stream-name", options_.stream_name, "streams: the servers' streamName")
        ->type_name("NAME")
        ->envname("SIO_STREAM_NAME")
        ->capture_default_str()
        ->group("Connection");
    app_.add_option("--stream-count", options_.stream_count, "streams: the servers' streamCount")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
        ->capture_default_str()
        ->group("Connection");
    app_.add_option("--maxlen", options_.stream_max_len, "streams: trim the stream to about N entries (maxLen)")
        ->type_name("N")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
        ->capture_default_str()
        ->group("Connection");
  }

  // rediss:// turns TLS on; these bring the certificates (README: TLS).
  void add_tls_options() {
    app_.add_flag("--tls", options_.tls.enabled, "Use TLS with a redis:// URL (rediss:// always does)")->group("TLS");
    app_.add_option("--tls-ca-file", options_.tls.ca_file, "Trusted CA certificates (PEM); default: the system's")
        ->type_name("FILE")
        ->envname("SIO_TLS_CA_FILE")
        ->group("TLS");
    app_.add_option("--tls-ca-dir", options_.tls.ca_dir, "Directory of trusted CA certificates (openssl rehash)")
        ->type_name("DIR")
        ->envname("SIO_TLS_CA_DIR")
        ->group("TLS");
    tls_cert_ = app_.add_option("--tls-cert", options_.tls.cert_file, "Client certificate (PEM); needs --tls-key")
                    ->type_name("FILE")
                    ->envname("SIO_TLS_CERT")
                    ->group("TLS");
    tls_key_ = app_.add_option("--tls-key", options_.tls.key_file, "The client certificate's private key (PEM)")
                   ->type_name("FILE")
                   ->envname("SIO_TLS_KEY")
                   ->group("TLS");
    app_.add_option("--tls-server-name", options_.tls.server_name,
                    "Name to verify and send (SNI) when it differs from the URL's host")
        ->type_name("NAME")
        ->envname("SIO_TLS_SERVER_NAME")
        ->group("TLS");
    app_.add_flag("--tls-insecure", options_.tls_insecure, "Skip certificate verification (testing only; warns)")
        ->group("TLS");
  }

  void add_target_options() {
    app_.add_option("--nsp", options_.nsp, "Namespace (\"admin\" means \"/admin\")")
        ->type_name("NSP")
        ->capture_default_str()
        ->group("Target");
    user_ = app_.add_option("--user", user_text_, "Target the user's room: <room-prefix>ID")
                ->type_name("ID")
                ->group("Target");
    auto* room_prefix = app_.add_option("--room-prefix", options_.room_prefix, "Prefix of user rooms")
                            ->type_name("P")
                            ->capture_default_str()
                            ->group("Target");
    auto* room = repeatable(app_.add_option("--room", options_.rooms, "Target sockets in room R (repeatable)"))
                     ->type_name("R")
                     ->group("Target");
    auto* except = repeatable(app_.add_option("--except", options_.except, "Leave out sockets in room R (repeatable)"))
                       ->type_name("R")
                       ->group("Target");
    auto* all = app_.add_flag("--all", options_.all,
                              "Address every socket of the namespace, on purpose (emit, join, leave and disconnect "
                              "refuse to run without a target: --user, --room or --all)")
                    ->group("Target");
    target_only_ = {user_, room_prefix, room, except, all};
  }

  void add_emit_options() {
    type_ = app_.add_option("--type", type_text_,
                            "Emit {\"type\":T,\"payload\":..,\"timestamp\":..} as event \"notification\"")
                ->type_name("T")
                ->group("Emit");
    payload_ = app_.add_option("--payload", payload_text_, "JSON payload of the notification (needs --type)")
                   ->type_name("JSON")
                   ->group("Emit");
    timestamp_ =
        app_.add_option("--timestamp", timestamp_text_, "Notification timestamp in ms since epoch (default: now)")
            ->type_name("MS")
            ->group("Emit");
    event_ = app_.add_option("--event", event_text_, "Event name (default \"notification\" with --type)")
                 ->type_name("E")
                 ->group("Emit");
    arg_ = repeatable(app_.add_option("--arg", options_.arg_jsons, "One JSON argument of the event (repeatable)"))
               ->type_name("JSON")
               ->group("Emit");
    args_ = app_.add_option("--args", args_text_, "All arguments at once, as a JSON array")
                ->type_name("JSON-ARRAY")
                ->group("Emit");
    auto* volatile_flag =
        app_.add_flag("--volatile", options_.volatile_flag, "Clients not ready to receive may miss it")->group("Emit");
    auto* no_compress =
        app_.add_flag("--no-compress", options_.no_compress, "Ask the servers not to compress the packet")
            ->group("Emit");
    emit_only_ = {type_, payload_, timestamp_, event_, arg_, args_, volatile_flag, no_compress};
  }

  void add_request_options() {
    confirm_ =
        app_.add_flag("--confirm", options_.confirm, "Wait for the servers and print how many sockets got the event")
            ->group("Delivery");
    acks_ = app_.add_flag("--acks", options_.acks, "Also wait for each client's ack (server-emit: each server's)")
                ->group("Delivery");
    fallback_ = app_.add_option("--fallback", fallback_text_, "Run /bin/sh -c CMD when no socket got the event")
                    ->type_name("CMD")
                    ->group("Delivery");
    request_only_ = {confirm_, acks_, fallback_};
  }

  void add_output_options() {
    app_.add_flag("--dry-run", options_.dry_run, "Validate and encode, print what would be published, never connect")
        ->group("Output");
    app_.add_flag("--json", options_.json_output, "Machine-readable output on stdout, one JSON object per line")
        ->group("Output");
    app_.add_flag("-v,--verbose", options_.verbose, "Say what was published (on stderr)")->group("Output");
    app_.add_flag("--require-receivers", options_.require_receivers,
                  "Fail (exit 7) when no server receives the message")
        ->group("Output");
  }

  void add_batch_options() {
    app_.add_flag("--stdin", options_.stdin_batch,
                  "Read operations from standard input, one JSON object per line; the flags are defaults")
        ->group("Batch");
  }

  // fallthrough: the common options may also come after the subcommand.
  void add_subcommands() {
    auto* join = app_.add_subcommand("join", "Make the targeted sockets join ROOM... (socketsJoin)")->fallthrough();
    join->add_option("ROOM", options_.rooms_to_change, "Rooms to join")->required();
    auto* leave = app_.add_subcommand("leave", "Make the targeted sockets leave ROOM... (socketsLeave)")->fallthrough();
    leave->add_option("ROOM", options_.rooms_to_change, "Rooms to leave")->required();
    auto* disconnect =
        app_.add_subcommand("disconnect", "Disconnect the targeted sockets [--close] (disconnectSockets)")
            ->fallthrough();
    disconnect->add_flag("--close", options_.close, "Also close the underlying connection (every namespace)");
    auto* server_emit =
        app_.add_subcommand("server-emit", "Emit EVENT to the servers' own listeners (serverSideEmit)")->fallthrough();
    server_emit->add_option("EVENT", event_text_, "Event name")->required();
    auto* sockets =
        app_.add_subcommand("sockets", "List the targeted sockets: id and rooms (fetchSockets) [--ids]")->fallthrough();
    sockets->add_flag("--ids", options_.ids_only, "Only their ids (allSockets: cheaper; not with --except)");
    join_ = join;
    leave_ = leave;
    disconnect_ = disconnect;
    server_emit_ = server_emit;
    sockets_ = sockets;
  }

  command parsed_command() const {
    if (join_->parsed()) return command::join;
    if (leave_->parsed()) return command::leave;
    if (disconnect_->parsed()) return command::disconnect;
    if (server_emit_->parsed()) return command::server_emit;
    if (sockets_->parsed()) return command::sockets;
    return command::emit;
  }

  void check_combinations() const {
    if (given(arg_) && given(args_)) throw usage_error("--arg and --args cannot be combined");
    if (given(tls_cert_) != given(tls_key_))
      throw usage_error("--tls-cert and --tls-key go together: the certificate needs its private key");
    if (options_.tls.enabled && options_.redis_url.starts_with("unix:"))
      throw usage_error("--tls needs a TCP Redis URL (redis://host:port), not a unix socket");
    check_request_combinations();
    check_mode_combinations();
    const command cmd = options_.cmd;
    if (cmd == command::emit) {
      if (given(type_) && (given(arg_) || given(args_))) {
        throw usage_error("--arg/--args cannot be combined with --type/--payload");
      }
      // With --stdin these are defaults: the lines may give the type, or the event.
      if (options_.stdin_batch) return;
      if (given(payload_) && !given(type_)) throw usage_error("--payload requires --type");
      if (given(timestamp_) && !given(type_)) throw usage_error("--timestamp requires --type");
      if (!given(type_) && !given(event_)) {
        throw usage_error("nothing to emit: give --type (the notification shape) or --event");
      }
      return;
    }
    for (const CLI::Option* option : emit_only_) {
      const bool server_emit_arguments = cmd == command::server_emit && (option == arg_ || option == args_);
      if (given(option) && !server_emit_arguments) {
        throw usage_error(fmt::format("{} cannot be used with {}", option->get_name(), command_name(cmd)));
      }
    }
    if (cmd == command::server_emit) {
      for (const CLI::Option* option : target_only_) {
        if (given(option)) {
          throw usage_error(fmt::format("{} cannot be used with server-emit: it reaches every server of the namespace",
                                        option->get_name()));
        }
      }
    }
  }

  void read_mode_texts() {
    using mode = sio::Options::adapter_mode;
    using subscription = sio::Options::subscription_mode;
    options_.mode = mode_text_ == "sharded" ? mode::sharded : mode_text_ == "streams" ? mode::streams : mode::classic;
    options_.subscription = subscription_text_ == "static"            ? subscription::static_
                            : subscription_text_ == "dynamic-private" ? subscription::dynamic_private
                                                                      : subscription::dynamic;
  }

  // Requests speak every adapter's protocol; an XADD reaches no subscriber to count.
  void check_mode_combinations() const {
    using mode = sio::Options::adapter_mode;
    check_cluster_combinations();
    if (options_.mode != mode::streams) return;
    if (options_.require_receivers)
      throw usage_error("--require-receivers cannot be used with --mode streams: servers read the stream, no "
                        "subscriber is counted");
  }

  // On a Redis Cluster a PUBLISH's reply sees one node (requests count the servers over every node instead).
  void check_cluster_combinations() const {
    std::string scheme = options_.redis_url.substr(0, options_.redis_url.find("://"));
    for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme != "redis+cluster" && scheme != "rediss+cluster") return;
    if (options_.mode == sio::Options::adapter_mode::classic && options_.require_receivers)
      throw usage_error("--require-receivers cannot be used with a Redis Cluster in --mode classic: a PUBLISH's reply "
                        "counts the subscribers of one node only");
  }

  // The options that wait for the servers' answers: one operation at a time, and not every operation asks.
  void check_request_combinations() const {
    const command cmd = options_.cmd;
    for (const CLI::Option* option : request_only_) {
      if (!given(option)) continue;
      if (options_.stdin_batch) {
        throw usage_error(fmt::format("{} cannot be used with --stdin: batch lines are pipelined, not confirmed",
                                      option->get_name()));
      }
      if (cmd == command::server_emit && option != acks_) {
        throw usage_error(fmt::format("{} cannot be used with server-emit: use --acks to collect the servers' answers",
                                      option->get_name()));
      }
      if (cmd != command::emit && cmd != command::server_emit) {
        throw usage_error(fmt::format("{} cannot be used with {}", option->get_name(), command_name(cmd)));
      }
    }
    if (cmd == command::sockets) {
      if (options_.stdin_batch) throw usage_error("sockets cannot be used with --stdin");
      if (options_.ids_only && !options_.except.empty()) {
        throw usage_error(
            "--ids cannot be combined with --except: the servers' id request has no except rooms "
            "(list the sockets without --ids)");
      }
    }
    // Requests count what the servers answer, not the subscriptions their PUBLISH reached.
    if (!options_.require_receivers) return;
    if (cmd == command::sockets) {
      throw usage_error(
          "--require-receivers cannot be used with sockets: it fails by itself (exit 9) when none is found");
    }
    const auto request = std::find_if(request_only_.begin(), request_only_.end(), given);
    if (request == request_only_.end()) return;
    if (cmd == command::server_emit) {
      throw usage_error(
          "--require-receivers cannot be combined with --acks: server-emit --acks reports the servers "
          "that answered");
    }
    throw usage_error(
        fmt::format("--require-receivers cannot be combined with {}: a confirmed emit fails by itself "
                    "(exit 9) when no socket gets it",
                    (*request)->get_name()));
  }

  // Moves the values CLI11 filled into the plain struct; "not given" becomes an empty optional.
  cli_options finish() {
    options_.redis_url_is_default = !given(redis_);  // neither --redis nor REDIS_URL
    options_.timeout = duration_of("--timeout", timeout_text_);
    options_.retries = retry_count(retry_text_);
    options_.retry_delay = duration_of("--retry-delay", retry_delay_text_);
    if (given(deadline_)) options_.deadline = duration_of("--deadline", deadline_text_);
    if (given(user_)) options_.user = user_text_;
    if (given(type_)) options_.type = type_text_;
    if (given(payload_)) options_.payload_json = payload_text_;
    if (given(timestamp_)) options_.timestamp_ms = timestamp_of(timestamp_text_);
    if (given(event_) || options_.cmd == command::server_emit) options_.event = event_text_;
    if (given(args_)) options_.args_json_array = args_text_;
    if (given(fallback_)) {
      if (fallback_text_.empty()) throw usage_error("--fallback needs a command (run with /bin/sh -c)");
      options_.fallback = fallback_text_;
    }
    // --acks and --fallback need the confirmation, so they imply it.
    options_.confirm = options_.cmd == command::emit && (options_.confirm || options_.acks || options_.fallback);
    check_target();
    return std::move(options_);
  }

  // Last, after every other check: a forgotten --user must not notify (or disconnect) everyone. The library and the
  // C API keep the Node emitter's rule (no target = every socket); the command line asks for --all.
  void check_target() const {
    const command cmd = options_.cmd;
    if (cmd == command::server_emit || cmd == command::sockets) return;
    const bool targeted = options_.user.has_value() || !options_.rooms.empty();
    if (options_.all && targeted)
      throw usage_error(
          "--all cannot be combined with --user or --room: --all addresses every socket of the namespace");
    if (options_.all || targeted || options_.stdin_batch) return;  // --stdin: each line's target is checked
    throw usage_error(fmt::format("{} has no target: give --user ID or --room R, or --all to address every socket of "
                                  "namespace \"{}\" on purpose",
                                  command_name(cmd), options_.nsp));
  }

  static std::chrono::milliseconds duration_of(std::string_view option, const std::string& text) {
    const auto duration = sio::programs::parse_duration(text);
    if (!duration) {
      throw usage_error(
          fmt::format("invalid duration \"{}\" for {}: use e.g. 500ms, 2s or 1.5 (seconds)", text, option));
    }
    return *duration;
  }

  // CLI11's "The following arguments were not expected: {} --paylod" as one line a user can act on: the first
  // unexpected argument in command-line order, with the option it was probably meant to be, or the subcommands.
  std::string unexpected_argument(int argc, const char* const* argv) const {
    std::vector<std::string> extras = app_.remaining(true);
    std::vector<std::pair<std::string, std::string>> names;  // --option, and the subcommand it belongs to ("": any)
    const auto add_names = [&names](const CLI::App& app, const std::string& owner) {
      for (const CLI::Option* option : app.get_options())
        for (const std::string& name : option->get_lnames()) names.emplace_back("--" + name, owner);
    };
    add_names(app_, "");
    for (const CLI::App* sub : app_.get_subcommands([](const CLI::App*) { return true; }))
      add_names(*sub, sub->get_name());
    for (int i = 1; i < argc; ++i) {
      const std::string token = argv[i];
      const auto extra = std::find(extras.begin(), extras.end(), token);
      if (extra == extras.end()) continue;
      if (token.starts_with("-")) {
        const std::string name = token.substr(0, token.find('='));
        const std::pair<std::string, std::string>* best = nullptr;
        std::size_t best_distance = 3;  // at most 2 edits away counts as a typo
        for (const auto& candidate : names) {
          const std::size_t d = edit_distance(name, candidate.first);
          if (d < best_distance) {
            best_distance = d;
            best = &candidate;
          }
        }
        if (best != nullptr && best_distance == 0) {  // an option of a subcommand other than the one given
          return fmt::format("{} is an option of the {} subcommand: notify {} {}", name, best->second, best->second,
                             name);
        }
        if (best != nullptr) return fmt::format("unknown option {}: did you mean {}?", name, best->first);
        return fmt::format("unknown option {} (notify --help lists them)", name);
      }
      const bool after_a_value = i >= 3 && std::string_view(argv[i - 2]).starts_with("--") &&
                                 !std::string_view(argv[i - 1]).starts_with("-");
      if (after_a_value) {
        return fmt::format("unexpected argument \"{}\" after {} {}: an option takes one value (repeat it for more: {} "
                           "{} {} {})",
                           token, argv[i - 2], argv[i - 1], argv[i - 2], argv[i - 1], argv[i - 2], token);
      }
      if (app_.get_subcommands().empty()) {
        return fmt::format("unknown subcommand \"{}\": use join, leave, disconnect, server-emit or sockets (an emit "
                           "needs none)",
                           token);
      }
      return fmt::format("unexpected argument \"{}\" (notify --help says what each subcommand takes)", token);
    }
    return "unexpected arguments (notify --help lists the options)";
  }

  static std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  }

  // CLI11 blames a bad value on its option ("--mode: bogus not in {...}") even when it came from the environment
  // (SIO_MODE=bogus): name the variable then, and how to get rid of it.
  std::string from_environment(std::string message, int argc, const char* const* argv) const {
    for (const CLI::Option* option : app_.get_options()) {
      const std::string& env = option->get_envname();
      const char* value = env.empty() ? nullptr : std::getenv(env.c_str());
      const std::string flag = option->get_name();
      if (value == nullptr || !message.starts_with(flag + ":")) continue;
      const bool on_command_line = std::any_of(argv + 1, argv + argc, [&](const char* arg) {
        const std::string_view a(arg);
        return a == flag || a.starts_with(flag + "=");
      });
      if (on_command_line) continue;
      return fmt::format("{}={} (from the environment):{}; unset {} or give {}", env, value,
                         message.substr(flag.size() + 1 + message.substr(flag.size() + 1).find(' ')), env, flag);
    }
    return message;
  }

  // Digits only: CLI11's own integer check would take "1e3" and "+2", and name a range nobody asked about.
  // An integer number of ms, at most 2^53-1 either way: the bound --stdin lines have, since a JSON number beyond it
  // is not exact (CLI11 would saturate 99999999999999999999 to 2^63-1 silently).
  static std::int64_t timestamp_of(const std::string& text) {
    constexpr std::int64_t max_safe = 9007199254740991;  // 2^53-1
    const std::size_t sign = !text.empty() && text.front() == '-' ? 1 : 0;
    const bool digits = text.size() > sign && text.size() - sign <= 16 &&
                        std::all_of(text.begin() + static_cast<std::ptrdiff_t>(sign), text.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    const std::int64_t value = digits ? std::stoll(text) : 0;
    if (!digits || value > max_safe || value < -max_safe) {
      throw usage_error(fmt::format("invalid --timestamp \"{}\": use an integer number of milliseconds since the "
                                    "epoch, at most 2^53-1 (as in --stdin lines)",
                                    text));
    }
    return value;
  }

  static int retry_count(const std::string& text) {
    constexpr std::size_t max_digits = 9;  // fits an int; at 2s per retry, decades
    const bool digits = !text.empty() && text.size() <= max_digits &&
                        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      throw usage_error(fmt::format("invalid count \"{}\" for --retry: use a whole number, 0 or more", text));
    }
    return std::stoi(text);
  }

  CLI::App app_;
  cli_options options_;
  CLI::Option* tls_cert_ = nullptr;
  CLI::Option* tls_key_ = nullptr;

  // Values whose absence matters, read through their Option's count().
  std::string timeout_text_ = "5s";
  std::string retry_text_ = "0";
  std::string retry_delay_text_ = "100ms";
  std::string deadline_text_;
  std::string user_text_;
  std::string type_text_;
  std::string payload_text_;
  std::string timestamp_text_;
  std::string event_text_;  // --event, or the EVENT of server-emit
  std::string args_text_;
  std::string fallback_text_;

  const CLI::Option* redis_ = nullptr;
  const CLI::Option* deadline_ = nullptr;
  const CLI::Option* user_ = nullptr;
  const CLI::Option* type_ = nullptr;
  const CLI::Option* payload_ = nullptr;
  const CLI::Option* timestamp_ = nullptr;
  const CLI::Option* event_ = nullptr;
  const CLI::Option* arg_ = nullptr;
  const CLI::Option* args_ = nullptr;
  const CLI::Option* confirm_ = nullptr;
  const CLI::Option* acks_ = nullptr;
  const CLI::Option* fallback_ = nullptr;
  std::vector<const CLI::Option*> emit_only_;     // meaningless unless an event is emitted
  std::vector<const CLI::Option*> target_only_;   // server-emit reaches every server, never selected sockets
  std::vector<const CLI::Option*> request_only_;  // --confirm, --acks, --fallback
  std::string mode_text_ = "classic";
  std::string subscription_text_ = "dynamic";

  const CLI::App* join_ = nullptr;
  const CLI::App* leave_ = nullptr;
  const CLI::App* disconnect_ = nullptr;
  const CLI::App* server_emit_ = nullptr;
  const CLI::App* sockets_ = nullptr;
};

}  // namespace

std::string_view command_name(command cmd) {
  switch (cmd) {
    case command::emit:
      return "emit";
    case command::join:
      return "join";
    case command::leave:
      return "leave";
    case command::disconnect:
      return "disconnect";
    case command::server_emit:
      return "server-emit";
    case command::sockets:
      return "sockets";
  }
  return "?";
}

parse_outcome parse_command_line(int argc, const char* const* argv) { return command_line{}.parse(argc, argv); }

}  // namespace notify
