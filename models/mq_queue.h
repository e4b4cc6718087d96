#pragma once
// One queue of the message_queue model (RabbitMQ-like), without SimGrid: the messages it holds
// and where each one is. A message is delayed (in a due-time ordered heap until its delay
// passes), ready (in a FIFO per priority level, served highest level first), or unacked (sent
// to a consumer, which holds it until it acks or nacks it, or dies). Each consumer has a window
// of `prefetch` unacked messages; dispatch hands ready messages round robin to consumers with
// room in their window. A nacked message goes back to the head of its level (or, with a retry
// delay, back through the delay heap); a consumer that dies returns everything it held. Every
// delivery counts, and a message returned after its `max_deliveries`-th delivery is dead-
// lettered instead (RabbitMQ quorum queues' delivery-limit, which counts returns by nack and by
// consumer failure alike). A broker crash loses the messages not yet made durable (transient
// ones, and persistent ones whose fsync had not completed) and returns every unacked message.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

namespace archsim {

enum class MqState { Delayed, Ready, Unacked };

struct MqMessage {
  uint64_t id        = 0;
  MqState state      = MqState::Ready;
  double published   = 0;
  double due         = 0;  // deliverable from (published + delay)
  uint64_t key       = 0;
  bool has_key       = false;
  double bytes       = 1000;
  int key_space      = -1;  // the owner's index of the key's key space, -1 if none
  unsigned priority  = 0;
  bool persistent    = false;
  bool durable       = false;  // persistent and fsynced: survives a broker crash
  unsigned deliveries = 0;
  int owner          = -1;  // consumer holding it unacked, -1 if none
  double sent_at     = 0;   // time of the latest delivery
};

enum class MqOverflow { RejectPublish, DropHead };

struct MqQueueConfig {
  unsigned max_priority   = 0;  // 0: one level (no priority queue)
  size_t max_length       = 0;  // ready messages allowed; 0 = unbounded
  MqOverflow overflow     = MqOverflow::RejectPublish;
  unsigned max_deliveries = 0;  // 0 = unlimited
  size_t prefetch         = 1;  // unacked messages per consumer; 0 = unlimited
};

class MqQueue {
public:
  MqQueue(const MqQueueConfig& config, size_t consumers);

  struct Published {
    bool accepted = true;
    std::optional<uint64_t> dropped;  // drop-head overflow: the message pushed out (dead-lettered)
  };
  // Takes the message (ready at once, or delayed when m.due > now).
  Published publish(MqMessage m, double now);
  // Delayed messages whose due time has come become ready; returns how many.
  size_t promote_due(double now);
  std::optional<double> next_due() const;

  struct Delivery {
    uint64_t id;
    int consumer;
  };
  // Hands ready messages to consumers that are up and have room in their window, round robin,
  // highest priority first; each delivery is counted on its message.
  std::vector<Delivery> dispatch(const std::vector<bool>& consumer_up, double now);
  // basic.get with auto-ack: the next ready message leaves the queue at once.
  std::optional<MqMessage> get();

  // The consumer acknowledges: the message leaves. False if it no longer holds it (stale).
  bool ack(uint64_t id, int consumer);
  enum class Returned { Requeued, Delayed, DeadLettered, Stale };
  // The consumer rejects it (requeue): back to the head of its level, or after `retry_delay`,
  // or to the dead-letter queue once it has been delivered max_deliveries times.
  Returned nack(uint64_t id, int consumer, double now, double retry_delay);
  // The consumer's connection is gone: every message it held goes back (or is dead-lettered).
  // Returns the ids dead-lettered.
  std::vector<uint64_t> consumer_lost(int consumer, double now);
  // The broker node restarts: non-durable messages are gone, unacked ones are ready again.
  // Returns how many messages were lost.
  size_t crash(double now);

  void mark_durable(uint64_t id);
  const MqMessage* find(uint64_t id) const;
  // A dead-lettered message's record, removed from the queue.
  std::optional<MqMessage> take_dead(uint64_t id);

  size_t ready() const { return ready_count_; }
  size_t delayed() const { return delayed_.size(); }
  size_t unacked() const { return unacked_count_; }
  size_t unacked_by(int consumer) const { return window_[static_cast<size_t>(consumer)]; }
  size_t dead_letters() const { return dead_.size(); }

private:
  void make_ready(uint64_t id, bool at_head);
  std::optional<uint64_t> pop_ready();
  std::optional<uint64_t> drop_oldest();
  bool return_message(MqMessage& m, double now, double retry_delay, Returned* how);

  struct Due {
    double due;
    uint64_t id;
    bool operator>(const Due& o) const { return due > o.due || (due == o.due && id > o.id); }
  };
  MqQueueConfig config_;
  std::unordered_map<uint64_t, MqMessage> messages_;
  std::vector<std::deque<uint64_t>> ready_;  // per priority level
  size_t ready_count_ = 0;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> delayed_;
  std::vector<size_t> window_;  // unacked per consumer
  size_t unacked_count_ = 0;
  size_t next_consumer_ = 0;
  std::unordered_map<uint64_t, MqMessage> dead_;
};

}  // namespace archsim
