#pragma once
// What a Cassandra coordinator decides before it sends anything: how many replica answers the
// consistency level needs, whether enough replicas are alive (otherwise the request fails at
// once with "unavailable", as UnavailableException does, and nothing is sent or hinted), which
// replicas it contacts, and which down replicas get a hint. Also the hint store that hinted
// handoff replays when a node comes back. Pure logic, no SimGrid.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace archsim {

enum class Consistency { One, Quorum, All };

Consistency parse_consistency(const std::string& text);  // "ONE", "QUORUM", "ALL"
// Replica answers needed: ONE 1, QUORUM floor(rf/2)+1, ALL rf.
size_t required_acks(Consistency c, size_t rf);

struct CoordinatorPlan {
  bool available = true;
  size_t needed  = 0;           // answers to wait for
  std::vector<size_t> contact;  // replicas sent the operation
  std::vector<size_t> hinted;   // down replicas that get a hint (writes only)
};

// A write goes to every live replica and waits for `needed` of them; down replicas get hints.
CoordinatorPlan plan_write(const std::vector<size_t>& replicas, const std::vector<bool>& down, Consistency c);
// A read goes to exactly `needed` live replicas: the coordinator itself first when it is one of
// them (no network hop), then in ring order.
CoordinatorPlan plan_read(const std::vector<size_t>& replicas, const std::vector<bool>& down, Consistency c,
                          size_t coordinator);

// Hints kept by coordinators for replicas that were down when a write arrived.
class HintStore {
public:
  struct Hint {
    size_t coordinator;
    uint64_t key;
    double bytes;
  };
  void store(size_t target, Hint h) { hints_[target].push_back(h); }
  // All hints for `target`, removed from the store (replayed when it recovers).
  std::vector<Hint> take(size_t target);
  size_t pending(size_t target) const;

private:
  std::map<size_t, std::vector<Hint>> hints_;
};

}  // namespace archsim
