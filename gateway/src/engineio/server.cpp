#include "engineio/server.hpp"

#include "engineio/engine_core.hpp"

namespace sio::gateway::engineio {

struct server::impl {
  std::shared_ptr<engine_core> core;
};

server::server(boost::asio::io_context& io, server_options options, handler& h, route_handler routes)
    : impl_{std::make_unique<impl>(impl{std::make_shared<engine_core>(io, std::move(options), h, std::move(routes))})} {}

server::~server() { impl_->core->stop(); }

void server::start() { impl_->core->start(); }

std::uint16_t server::port() const noexcept { return impl_->core->port(); }

void server::shutdown(std::string_view reason, std::chrono::milliseconds grace, std::function<void()> done) {
  impl_->core->shutdown(reason, grace, std::move(done));
}

server_stats server::stats() const noexcept {
  server_stats s = impl_->core->stats();
  s.preauth_bytes = impl_->core->preauth().used();
  return s;
}

}  // namespace sio::gateway::engineio
