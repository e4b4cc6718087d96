#pragma once
// The state of a WebSocket / SSE gateway's long-lived connections, without SimGrid: which
// connection is open on which host and event loop, for which channel, how much memory they
// hold, which message each (host, loop, channel) has written last, and the messages a client
// misses while it is away. Connections are table rows, never actors: 10^6 viewers cost a few
// tens of bytes each here.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

namespace archsim {

enum class ConnState {
  Connecting,  // memory taken on its host, handshake not finished: receives nothing yet
  Live,        // receives the messages of its channel
  Away,        // its host crashed: the client waits to reconnect (no host, no memory)
};

struct GatewayConn {
  uint64_t channel = 0;
  size_t host      = 0;
  size_t loop      = 0;
  ConnState state  = ConnState::Connecting;
  double expires   = 0;     // 0: stays until the end of the run
  uint64_t seen    = 0;     // Live: the channel's last message when it joined; Away: the last one
                            // written to it before it dropped
  double away_since = 0;    // Away: when its host crashed
  unsigned attempts = 0;    // Away: reconnect attempts so far
  bool resuming     = false;  // dropped by a crash and not live again yet: `seen` tells what it missed
};

// Connections of one gateway component: `hosts` hosts of `loops` event loops each. A host holds
// at most floor(host_memory / memory_per_connection) connections (Connecting and Live).
class GatewayTable {
public:
  GatewayTable(size_t hosts, size_t loops, double memory_per_connection, double host_memory);

  size_t hosts() const { return hosts_; }
  size_t loops() const { return loops_; }
  size_t capacity() const { return capacity_; }
  // Connections holding memory on a host (Connecting + Live).
  size_t held(size_t host) const { return held_[host]; }
  size_t live(size_t host) const { return live_[host]; }
  size_t live(size_t host, size_t loop) const { return live_loop_[host * loops_ + loop]; }
  size_t away() const { return away_; }
  size_t size() const { return conns_.size(); }
  bool fits(size_t host) const { return held_[host] < capacity_; }
  const GatewayConn* find(uint64_t id) const;

  // A new connection (or an Away one coming back) takes memory on `host`, on the host's next
  // event loop (round robin, as Netty and nginx workers hand out accepted sockets). False when
  // the host is full (or the id is already held somewhere). Returns the loop in `loop`.
  bool attach(uint64_t id, uint64_t channel, size_t host, double expires, size_t& loop);
  // The handshake finished: the connection receives its channel's messages from now on (a
  // resuming connection stops resuming: the caller reads `seen` before).
  void go_live(uint64_t id);
  // The client leaves (its time is up) or the handshake is abandoned: memory is freed.
  bool remove(uint64_t id);
  // An Away connection's reconnect was refused: returns its attempts so far.
  unsigned failed_attempt(uint64_t id);
  // The host crashed: every connection on it goes Away (memory freed). Returns their ids.
  std::vector<uint64_t> drop_host(size_t host, double now);

  // Live viewers of `channel` on one loop, and the hosts with at least one.
  uint32_t viewers(size_t host, size_t loop, uint64_t channel) const;
  uint32_t viewers(size_t host, uint64_t channel) const;
  std::vector<size_t> hosts_with(uint64_t channel) const;

  // Message sequence numbers per channel: publish() numbers a new message; written() records
  // that a loop has written message `seq` to its viewers of the channel.
  uint64_t publish(uint64_t channel);
  uint64_t last_published(uint64_t channel) const;
  void written(size_t host, size_t loop, uint64_t channel, uint64_t seq);

private:
  struct Slot {
    uint32_t live      = 0;
    uint64_t delivered = 0;  // last message written by this loop to this channel's viewers
  };
  Slot& slot(size_t host, size_t loop, uint64_t channel) { return slots_[host * loops_ + loop][channel]; }
  const Slot* find_slot(size_t host, size_t loop, uint64_t channel) const;
  void count_live(const GatewayConn& c, int delta);

  size_t hosts_, loops_, capacity_;
  std::unordered_map<uint64_t, GatewayConn> conns_;
  std::vector<std::unordered_map<uint64_t, Slot>> slots_;  // per (host, loop)
  std::unordered_map<uint64_t, std::vector<uint32_t>> per_host_;  // channel -> live viewers per host
  std::unordered_map<uint64_t, uint64_t> seq_;  // channel -> last message number
  std::vector<size_t> held_, live_, live_loop_, next_loop_;
  size_t away_ = 0;
};

// The last `capacity` messages of each channel with their publish times: what an SSE server
// replays to a client that reconnects with Last-Event-ID.
class ReplayLog {
public:
  explicit ReplayLog(size_t capacity) : capacity_(capacity) {}
  void add(uint64_t channel, uint64_t seq, double published);
  // Messages after `seen` that are still held (oldest first), and how many after `seen` are
  // gone (published, but pushed out of the log).
  std::vector<double> since(uint64_t channel, uint64_t seen, uint64_t last, uint64_t& lost) const;

private:
  size_t capacity_;
  std::unordered_map<uint64_t, std::deque<std::pair<uint64_t, double>>> log_;
};

}  // namespace archsim
