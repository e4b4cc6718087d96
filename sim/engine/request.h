#pragma once
// A request as it walks its flow. The identity (class, arrival, key) is shared by every branch
// of the request; the context (where it is, which replicas a load balancer pinned) is copied
// into parallel branches and timed attempts so that they cannot disturb each other.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace simgrid::s4u {
class Host;
}

namespace archsim {

class Component;
struct ClassMetrics;

// Request ids are unique across classes (models key per-request state by them): the class in
// the high bits, a per-class sequence number below.
inline uint64_t request_id(size_t class_index, uint64_t sequence)
{
  return (static_cast<uint64_t>(class_index) << 40) | sequence;
}

struct Request {
  uint64_t id        = 0;
  size_t class_index = 0;
  double arrival     = 0;  // scheduled arrival: latency counts from here
  uint64_t key       = 0;  // key id drawn from the class's key space (0 when it has none)
  bool has_key       = false;
  double request_bytes  = 1000;
  double response_bytes = 1000;
};

struct KeySpaceSpec;

struct FlowContext {
  std::shared_ptr<const Request> req;
  // The key data operations act on: the request's own key, until a step with `key: SPACE`
  // draws another one (e.g. a feed read that then touches a post), which later steps reuse.
  uint64_t key                 = 0;
  bool has_key                 = false;
  const KeySpaceSpec* key_space = nullptr;
  // Replicas chosen upstream (by a load balancer) for components further down the flow.
  std::vector<std::pair<const Component*, size_t>> pins;
  // The host the current step was sent from (where a block operation's steps run).
  simgrid::s4u::Host* caller = nullptr;
  // State a model keeps for this request across steps (an open transaction), by component.
  // Shared, not copied, into parallel branches and timed attempts.
  std::vector<std::pair<const Component*, std::shared_ptr<void>>> sessions;

  std::shared_ptr<void> session(const Component* c) const
  {
    for (const auto& [owner, s] : sessions)
      if (owner == c)
        return s;
    return nullptr;
  }
  void set_session(const Component* c, std::shared_ptr<void> s)
  {
    sessions.erase(std::remove_if(sessions.begin(), sessions.end(), [c](const auto& e) { return e.first == c; }),
                   sessions.end());
    if (s)
      sessions.emplace_back(c, std::move(s));
  }
};

struct Outcome {
  enum class Status { Ok, Error, Timeout };
  Status status = Status::Ok;
  std::string tag;  // for ops: "hit", "miss", ...; for errors: "rejected", "timeout", ...
  double response_bytes = -1;  // set by a data operation (a value's size); -1: the default
  bool ok() const { return status == Status::Ok; }
  static Outcome success(std::string tag = "") { return {Status::Ok, std::move(tag)}; }
  static Outcome error(std::string tag) { return {Status::Error, std::move(tag)}; }
  static Outcome timeout() { return {Status::Timeout, "timeout"}; }
};

}  // namespace archsim
