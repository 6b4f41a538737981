// output.hpp: everything notify prints, in the formats of the CLI spec.
#pragma once

#include <string>
#include <string_view>

#include "options.hpp"
#include "sio/emitter.hpp"

namespace notify {

std::string to_hex(std::string_view bytes);

// The warning (or, with --require-receivers, the error) when nobody subscribes to the channel.
std::string no_receivers_message(const sio::Published& published, const std::string& key, const std::string& nsp);

// Prints what a successful call published: --dry-run and/or --json on stdout, -v on stderr.
void print_published(const sio::Published& published, const cli_options& options);

// -v: the stderr line saying what was published and how many subscriptions received it (none for a dry run).
void print_published_verbose(const sio::Published& published);

// Flushes stdout; false when the output could not be written (closed pipe, full disk).
bool flush_stdout();

void print_note(std::string_view message);  // "notify: <message>" on stderr: a report, neither warning nor error
void print_warning(std::string_view message);
void print_error(std::string_view message);
void print_usage_error(std::string_view message);

}  // namespace notify
