#pragma once
// The state of a ZooKeeper-like ensemble, without SimGrid: znodes with versions and the
// history each follower's view needs (a follower that has applied up to zxid z sees the tree as
// of z), sessions that expire without contact, locks and elections as ephemeral nodes owned by
// sessions (the lowest waiter takes over when the holder's node goes), the intervals during
// which each client *believes* it holds a lock (to check that two never overlap), and the
// quorum arithmetic of the atomic broadcast.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

namespace archsim {

// Majority of an ensemble of n voters.
inline size_t majority(size_t n) { return n / 2 + 1; }

// The node a new leader is chosen from: among the nodes up, the one with the highest logged
// zxid (it has every committed transaction), ties to the lowest id; none without a majority up.
std::optional<size_t> choose_leader(const std::vector<bool>& up, const std::vector<uint64_t>& logged);

struct ZnodeView {
  bool exists      = false;
  uint64_t version = 0;  // bumped by every create, set and delete of the path
};

// Znodes by path id. The leader prepares transactions in order and applies them here at once
// (with their zxid); what a node has applied decides what it can see.
class ZnodeStore {
public:
  ZnodeView current(uint64_t path) const;
  // The tree as a node that has applied every transaction up to `applied` sees it.
  ZnodeView view(uint64_t path, uint64_t applied) const;
  uint64_t owner(uint64_t path) const;  // session of an ephemeral node, 0 otherwise
  double bytes(uint64_t path) const;

  void create(uint64_t path, uint64_t zxid, uint64_t owner, double bytes);
  void set(uint64_t path, uint64_t zxid, double bytes);
  void remove(uint64_t path, uint64_t zxid);
  // Ephemeral nodes of a session (what closing it deletes).
  std::vector<uint64_t> ephemerals(uint64_t session) const;
  size_t size() const { return live_; }

private:
  struct Node {
    ZnodeView now;
    uint64_t owner = 0;
    double bytes   = 0;
    std::deque<std::pair<uint64_t, ZnodeView>> history;  // (zxid, view after it), oldest first
  };
  void record(Node& n, uint64_t zxid);
  std::unordered_map<uint64_t, Node> nodes_;
  std::unordered_map<uint64_t, std::set<uint64_t>> by_owner_;
  size_t live_ = 0;
};

// Client sessions: alive while the ensemble hears from them at least every `timeout`.
class SessionTable {
public:
  explicit SessionTable(double timeout) : timeout_(timeout) {}
  double timeout() const { return timeout_; }
  // Contact from the session at `now` (the server's clock); `sent` is when the client sent it:
  // the client may count on its session until sent + timeout. Opens the session if unknown.
  // Returns false if the session had expired: the client is told so and opens a new session
  // (same id, nothing owned), which this contact starts.
  bool touch(uint64_t session, double now, double sent);
  bool known(uint64_t session) const { return sessions_.count(session) > 0; }
  bool expired(uint64_t session) const;
  double deadline(uint64_t session) const;
  double belief(uint64_t session) const;  // until when the client counts on it
  void expire(uint64_t session);
  // A new leader gives every live session a fresh timeout (ZooKeeper does).
  void reset_all(double now);
  std::vector<uint64_t> live() const;

private:
  struct Session {
    double last_heard = 0;
    double belief     = 0;
    bool expired      = false;
  };
  double timeout_;
  std::unordered_map<uint64_t, Session> sessions_;
};

// Locks (and elections) as the ZooKeeper recipe builds them: the holder's ephemeral node and a
// queue of waiters' sequential nodes; when the holder's node goes, the lowest waiter holds.
class LockTable {
public:
  enum class Try { Acquired, AlreadyHeld, Busy };
  Try try_acquire(uint64_t lock, uint64_t session);
  // A waiter's sequential node: it holds when every node before it is gone.
  void wait(uint64_t lock, uint64_t session);
  void stop_waiting(uint64_t lock, uint64_t session);
  // The holder's node goes: returns the next holder (0: none). Not the holder: nothing happens.
  uint64_t release(uint64_t lock, uint64_t session);
  // Every lock held or waited for by a closing session: (lock, next holder or 0) for those it held.
  std::vector<std::pair<uint64_t, uint64_t>> release_all(uint64_t session);
  uint64_t holder(uint64_t lock) const;
  size_t waiting(uint64_t lock) const;
  // Whether the session holds or waits for any lock.
  bool holds_any(uint64_t session) const;

private:
  struct Lock {
    uint64_t holder = 0;
    std::deque<uint64_t> waiters;
  };
  std::unordered_map<uint64_t, Lock> locks_;
  std::unordered_map<uint64_t, std::set<uint64_t>> by_session_;  // locks held or waited for
};

// When each client believed it held each lock: from the commit that gave it the lock to the
// earlier of its release and the end of its own lease view (the send time of its last
// acknowledged request + the session timeout). Two overlapping intervals on one lock would be
// two holders at once.
class HolderLog {
public:
  void acquired(uint64_t lock, uint64_t session, double at);
  // The holding ends at `end`: the release time when the client released it, its own lease end
  // when the lock went without its knowing (session expiry, someone deleting the node).
  void ended(uint64_t lock, uint64_t session, double end);
  // Closes the open intervals at `now` (bounded by each session's belief) and returns the most
  // intervals of one lock that overlap at any instant.
  size_t max_overlap(double now, const SessionTable& sessions) const;
  size_t acquisitions() const { return acquisitions_; }

private:
  struct Interval {
    double start, end;
  };
  std::map<uint64_t, std::vector<Interval>> closed_;
  std::map<std::pair<uint64_t, uint64_t>, double> open_;  // (lock, session) -> start
  size_t acquisitions_ = 0;
};

}  // namespace archsim
