// The Redis side of the adapter: a subscriber thread (its connections: one, or one per master in sharded mode on a
// cluster; decode, then post effects to the I/O thread), in streams mode a reader thread per stream (XREAD, and the
// recovery sessions' restores), a response publisher (a redis_pipeline, or the cluster router: its own connections
// and I/O threads, so the I/O thread only queues; bounded, buffering while Redis is away), reconnects with backoff.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "adapter/adapter_sink.hpp"
#include "adapter/redis_adapter.hpp"

namespace sio::gateway::adapter {

// 6 random characters of [A-Za-z0-9_-], as uid2(6) gives a Node adapter.
std::string random_uid();
// This process's uid, drawn once: every namespace of the gateway answers with the same one.
const std::string& process_uid();

class adapter_engine {
 public:
  // `sink` must outlive the engine; it is only called on `io`'s thread.
  adapter_engine(boost::asio::io_context& io, adapter_options options, adapter_sink& sink,
                 std::vector<std::string> namespaces, std::string uid = process_uid());
  ~adapter_engine();
  adapter_engine(const adapter_engine&) = delete;
  adapter_engine& operator=(const adapter_engine&) = delete;

  void start();  // see redis_adapter::start
  // On the I/O thread, for socketio::server::on_room_change: in sharded mode, a room's channel is SSUBSCRIBEd when
  // the room is created and SUNSUBSCRIBEd when it is deleted, as a Node server in that subscription mode does
  // (dynamic: not a socket's own room; dynamic-private: every room; static: none).
  void room_changed(std::string_view nsp, const std::string& room, bool created, bool socket_room);
  // Idempotent; joins the subscriber thread and closes the publisher (waiting for the responses queued, at most
  // connect_timeout when Redis is away). Call it on the I/O thread (or once that thread stopped): effects already
  // posted then see the engine stopped and do nothing.
  void stop();
  // Connection state recovery (streams mode with options.recovery; socketio::recovery_store's two calls), on the I/O
  // thread. persist: SET <prefix><pid> <session> PX <max duration> on the publisher's connection. restore: done by
  // the reader of the namespace's stream, between two XREADs (GETDEL, the offset checked, XRANGE from it), so that
  // `done` is posted before every entry the replay did not include and after every one it did: no gap, no
  // duplicate. Outside streams mode (or stopped) `done` gets nullopt.
  void persist_session(std::string_view nsp, const sio::detail::recovery_session& session);
  void restore_session(std::string nsp, std::string pid, std::string offset,
                       std::function<void(std::optional<socketio::restored_session>)> done);
  adapter_stats stats() const;
  const std::string& uid() const noexcept;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace sio::gateway::adapter
