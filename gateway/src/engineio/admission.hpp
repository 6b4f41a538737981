// What peers that have not authenticated may hold at once (DESIGN.md §4: memory before authentication bounded by a
// documented figure): a process-wide byte budget for pre-authentication buffers, and a per-address count of TCP
// connections that carry no Engine.IO session yet. Both hand out RAII reservations: whatever ends a connection or a
// session (a close, an error, the server going away) gives back what it held, in one place.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

namespace sio::gateway::engineio {

// Bytes that unauthenticated peers may make the server buffer, all together: request headers being received,
// and the largest message a session may send before it joined a namespace. 0: no budget (unlimited).
class preauth_budget {
  struct ledger {
    std::size_t total = 0;
    std::size_t used = 0;
  };

 public:
  class reservation {
   public:
    reservation() = default;
    reservation(reservation&& other) noexcept
        : ledger_{std::move(other.ledger_)}, bytes_{std::exchange(other.bytes_, 0)} {}
    reservation& operator=(reservation&& other) noexcept {
      if (this != &other) {
        release();
        ledger_ = std::move(other.ledger_);
        bytes_ = std::exchange(other.bytes_, 0);
      }
      return *this;
    }
    reservation(const reservation&) = delete;
    reservation& operator=(const reservation&) = delete;
    ~reservation() { release(); }

    bool held() const noexcept { return ledger_ != nullptr; }
    void release() noexcept {
      if (ledger_) ledger_->used -= bytes_;
      ledger_.reset();
      bytes_ = 0;
    }

   private:
    friend class preauth_budget;
    reservation(std::shared_ptr<ledger> l, std::size_t bytes) : ledger_{std::move(l)}, bytes_{bytes} {
      ledger_->used += bytes_;
    }
    std::shared_ptr<ledger> ledger_;
    std::size_t bytes_ = 0;
  };

  explicit preauth_budget(std::size_t total_bytes) : ledger_{std::make_shared<ledger>(ledger{total_bytes, 0})} {}

  // `bytes` from the budget, or an empty reservation (held() false) when they do not fit. With no budget every
  // reservation is granted (and still counted).
  reservation reserve(std::size_t bytes) { return reserve_up_to(bytes, ledger_->total); }

  // For sessions waiting to be authenticated: they may fill only this share of the budget, so that once they
  // have, requests (a health check, an authenticated client's poll) still get in.
  reservation reserve_for_session(std::size_t bytes) { return reserve_up_to(bytes, ledger_->total / 4 * 3); }

  std::size_t used() const noexcept { return ledger_->used; }
  std::size_t total() const noexcept { return ledger_->total; }

 private:
  reservation reserve_up_to(std::size_t bytes, std::size_t ceiling) {
    if (ledger_->total != 0 && ledger_->used + bytes > ceiling) return {};
    return reservation{ledger_, bytes};
  }

  std::shared_ptr<ledger> ledger_;
};

// TCP connections per remote address whose client has not finished its handshake (idle, sending a request, or
// with an Engine.IO session not authenticated yet): the ones a slow or idle client can pile up without ever
// authenticating. 0: no limit.
class pending_connections {
  using counts = std::unordered_map<std::string, std::size_t>;

 public:
  class slot {
   public:
    slot() = default;
    slot(slot&& other) noexcept : counts_{std::move(other.counts_)}, address_{std::move(other.address_)} {}
    slot& operator=(slot&& other) noexcept {
      if (this != &other) {
        release();
        counts_ = std::move(other.counts_);
        address_ = std::move(other.address_);
      }
      return *this;
    }
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    ~slot() { release(); }

    bool held() const noexcept { return counts_ != nullptr; }
    void release() noexcept {
      if (!counts_) return;
      const auto it = counts_->find(address_);
      if (it != counts_->end() && --it->second == 0) counts_->erase(it);
      counts_.reset();
    }

   private:
    friend class pending_connections;
    slot(std::shared_ptr<counts> c, std::string address) : counts_{std::move(c)}, address_{std::move(address)} {
      ++(*counts_)[address_];
    }
    std::shared_ptr<counts> counts_;
    std::string address_;
  };

  explicit pending_connections(std::size_t per_address_limit)
      : limit_{per_address_limit}, counts_{std::make_shared<counts>()} {}

  // A slot for one more pending connection from `address`, or an empty slot when it already has the limit.
  slot acquire(const std::string& address) {
    if (limit_ != 0) {
      const auto it = counts_->find(address);
      if (it != counts_->end() && it->second >= limit_) return {};
    }
    return slot{counts_, address};
  }

  std::size_t pending(const std::string& address) const {
    const auto it = counts_->find(address);
    return it == counts_->end() ? 0 : it->second;
  }
  std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t limit_;
  std::shared_ptr<counts> counts_;
};

}  // namespace sio::gateway::engineio

namespace sio::gateway::engineio {

// What a session holds until its client is authenticated: its share of the pre-authentication budget and its
// connection's place among its address' pending ones.
struct preauth_hold {
  preauth_budget::reservation memory;
  pending_connections::slot connection;

  void release() noexcept {
    memory.release();
    connection.release();
  }
};

}  // namespace sio::gateway::engineio
