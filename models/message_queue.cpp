// message_queue: a RabbitMQ-like broker with its queues and its consumers.
//
// Keeps: broker nodes holding named queues (`queues`, placed round robin on the nodes; a message
// goes to the queue its key hashes to, as a consistent-hash exchange routes, or round robin
// without a key); each queue is one process (one message at a time: an Erlang process per
// classic queue) whose CPU per publish, delivery and ack runs on its node's cores; persistent
// messages wait for an fsync of the node's message store before the publisher's confirm, one
// fsync covering every message that arrived meanwhile (group commit), transient ones do not;
// priority levels served highest first (x-max-priority); delayed delivery through a due-time
// ordered heap (the delayed-message exchange); x-max-length with reject-publish or drop-head.
// Consumers are hosts of the component: each has a prefetch window of unacked messages (a real
// window: deliveries stop when it is full, and a message waits in the consumer's buffer when its
// `concurrency` workers are busy), runs the component's `flow` per message (latency from when
// the message became deliverable: end to end), acks when the flow succeeds and nacks (requeue)
// when it fails. Deliveries and acks cross the network (batched per consumer, as frames on one
// connection). Every delivery counts; a message returned after its max_deliveries-th delivery
// (nack or consumer death alike, as quorum queues' delivery-limit) is dead-lettered and may run
// `dead_letter_flow`. A consumer crash (fault on replica nodes + c) requeues everything it held:
// redelivered, and counted as duplicates when its flow had already succeeded (its side effects
// happened, its ack did not). A broker node crash loses the transient messages and the persistent
// ones not yet fsynced (unconfirmed publishes fail), and requeues the unacked ones.
// Abstracts away: exchanges and bindings beyond key-hash routing, queue mirroring / Raft
// replication (a queue lives on one node), flow control and memory alarms, publisher-side
// batching of confirms, consumer cancellation, per-channel (global) prefetch, paging to disk,
// the heartbeat delay before the broker notices a dead consumer (a process crash resets its TCP
// connection at once), the consumer's own CPU (put it in the flow), and the rest of a flow that
// a crashed consumer was running (it completes; only its ack is lost).
#include "models/message_queue.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>

#include "models/mq_queue.h"
#include "models/mq_signal.h"
#include "sim/core/hash_ring.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {
constexpr double kFrameBytes = 100;  // basic.publish / basic.deliver method and header frames
constexpr double kAckBytes   = 40;   // basic.ack / basic.nack / confirm frame
}  // namespace

const ModelSpec& message_queue_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "message_queue";
    s.summary   = "RabbitMQ-like broker: queues with prefetch windows, acks, redelivery, dead letters, priorities, "
                  "delayed delivery; consumers that run a flow per message";
    s.keeps     = "one process per queue (CPU per publish, delivery, ack); group-committed fsync for persistent "
                  "messages; priority levels; a due-time heap for delayed messages; max-length overflow; consumer "
                  "hosts with a real prefetch window and worker concurrency; deliveries and acks over the network; "
                  "ack on success, nack-requeue on failure; delivery counting and dead-lettering; consumer crash "
                  "requeues its unacked messages (redeliveries, duplicates); broker crash loses what was not durable";
    s.abstracts = "exchanges beyond key-hash routing, mirroring / quorum replication, flow control, memory alarms, "
                  "paging, global prefetch, heartbeat detection delay, the consumer's own CPU, and the remainder of "
                  "a flow a crashed consumer was running";
    s.params = {
        param::count("nodes", "1", "Broker nodes (hosts); queues are placed on them round robin").range(1, 100),
        param::count("queues", "1", "Queues; a message goes to the queue its key hashes to (round robin without "
                                    "a key), as a consistent-hash exchange routes")
            .range(1, 1000),
        param::count("cores", "3", "Cores per host (broker nodes and consumer hosts)")
            .range(1, 1024)
            .cite("reference-figures.md s7: the AMQP benchmark node ran 3 Erlang schedulers (+S 3)"),
        param::count("consumers", "1", "Consumer hosts (replicas nodes .. nodes+consumers-1); each subscribes to "
                                       "every queue; 0 = none (only `consume` steps take messages)")
            .range(0, 1000),
        param::count("prefetch", "200", "Unacked messages per consumer and queue (basic.qos); 0 = unlimited")
            .range(0, 1e6)
            .cite("reference-figures.md s7: PerfTest run with prefetch 200"),
        param::count("concurrency", "1", "Messages a consumer processes at once (its worker threads); the rest of "
                                         "its window waits in its buffer")
            .range(1, 1000)
            .cite("a design parameter (the Java and pika clients dispatch one channel's deliveries one at a time)"),
        param::flow("flow", "Flow each consumer runs per message; the message is acked when it succeeds, nacked "
                            "(requeued) when it fails. Its latency counts from when the message became deliverable "
                            "(publish time + delay)"),
        param::flow("dead_letter_flow", "Flow run per dead-lettered message (by one dead-letter consumer on node "
                                        "0); latency from when it was dead-lettered"),
        param::count("max_deliveries", "20", "Deliveries after which a returned message is dead-lettered instead "
                                             "of requeued (nacks and consumer deaths count); 0 = unlimited")
            .range(0, 1e6)
            .cite("RabbitMQ 4.0 release notes: quorum queues have a default delivery-limit of 20 (not in "
                  "reference-figures.md; classic queues have none)"),
        param::quantity("retry_delay", Unit::Duration, "0s", "Delay before a nacked message is deliverable again "
                                                             "(0: requeued at the head at once, RabbitMQ's nack)")
            .range(0, 1e6)
            .cite("RabbitMQ's basic.nack requeues at once; a delay is the retry-queue-with-TTL pattern"),
        param::count("max_priority", "0", "Priority levels 0..max_priority (x-max-priority); 0 = no priorities")
            .range(0, 255)
            .cite("RabbitMQ docs (priority queues): 1-255 levels, 1-10 recommended; off by default"),
        param::count("max_length", "0", "Ready messages a queue holds (x-max-length); 0 = unbounded").range(0, 1e9),
        param::choice("overflow", {"drop_head", "reject_publish"}, "drop_head",
                      "At max_length: drop (dead-letter) the oldest message, or refuse the publish ('rejected')")
            .cite("RabbitMQ docs (queue length limit): the default overflow behaviour is drop-head"),
        param::quantity("fsync", Unit::Duration, "5.9ms", "Time of one fsync of a node's message store")
            .range(0, 10)
            .cite("reference-figures.md s7: 5.9 ms average fsync on a consumer SSD (5-15 ms)"),
        param::quantity("publish_cpu", Unit::Duration, "5us", "Queue-process time per published message")
            .range(0, 1)
            .cite("reference-figures.md s7 (derived): one classic queue moved 99,413 msg/s end to end, ~10 us of "
                  "its process per message; half of it at publish (the split is an assumption)"),
        param::quantity("deliver_cpu", Unit::Duration, "2.5us", "Queue-process time per delivery (and per basic.get)")
            .range(0, 1)
            .cite("reference-figures.md s7 (derived): a quarter of the ~10 us per message"),
        param::quantity("ack_cpu", Unit::Duration, "2.5us", "Queue-process time per ack or nack")
            .range(0, 1)
            .cite("reference-figures.md s7 (derived): a quarter of the ~10 us per message"),
    };
    s.metrics = {
        {"depth_length", Unit::Number, "Mean ready messages waiting in the queues (all queues); over time in the "
                                       "time series"},
        {"unacked_length", Unit::Number, "Mean messages delivered and not yet acked"},
        {"delayed_length", Unit::Number, "Mean messages waiting for their delay to pass"},
        {"utilisation", Unit::Fraction, "Busy CPU / cores averaged over all the hosts (per_replica: broker nodes "
                                        "first; consumer hosts do no broker work)"},
        {"published", Unit::Count, "Messages accepted by a queue"},
        {"rejected", Unit::Count, "Publishes refused (max_length with reject_publish)"},
        {"delivered", Unit::Count, "Deliveries to consumers and basic.get answers"},
        {"redelivered", Unit::Count, "Deliveries of a message delivered before (after a nack or a consumer "
                                     "crash)"},
        {"acked", Unit::Count, "Messages acked by consumers"},
        {"nacked", Unit::Count, "Messages whose flow failed (nack with requeue)"},
        {"dead_lettered", Unit::Count, "Messages moved to the dead-letter queue (max_deliveries, drop-head)"},
        {"duplicates", Unit::Count, "Successful flow runs for a message whose flow had already succeeded (its ack "
                                    "was lost with a consumer or broker)"},
        {"lost", Unit::Count, "Messages lost by a broker crash (transient, or persistent not yet fsynced)"},
        {"fsyncs", Unit::Count, "fsyncs of the message stores"},
        {"messages_per_fsync", Unit::Number, "Persistent messages confirmed per fsync (group commit)"},
        {"ack_latency", Unit::Duration, "Mean time from a delivery leaving the queue to its ack being processed"},
    };
    ParamSpec persistent = param::flag("persistent", false,
                                       "delivery_mode 2: the confirm waits for the node's fsync and the message "
                                       "survives a broker crash");
    persistent.cite("AMQP 0-9-1: delivery_mode defaults to 1 (transient)");
    ParamSpec priority = param::count("priority", "0", "Message priority (levels above max_priority count as the "
                                                       "top one)")
                             .range(0, 255);
    ParamSpec delay = param::distribution("delay", Unit::Duration, "0s",
                                          "Delay before the message can be delivered (delayed-message exchange)");
    s.operations = {
        {"publish", "Publish a message (the key's value size, or the class's request size) to its queue; returns "
                    "with the publisher confirm",
         {persistent, priority, delay}, {}},
        {"consume", "basic.get with auto-ack: take the next ready message of the queue, if any", {}, {"got", "empty"}},
    };
    s.check = [](const ParamValues& p, const SourceLoc& loc, const std::string& path, Diagnostics& diags) {
      if (p.integer("consumers") * p.integer("concurrency") > 10000)
        diags.error(loc, path, "consumers x concurrency must stay within 10000 (each worker is an actor)");
    };
    return s;
  }();
  return spec;
}

Placement message_queue_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("nodes") + p.integer("consumers")), static_cast<int>(p.integer("cores"))};
}

namespace {

class MessageQueue : public Component {
public:
  MessageQueue(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , nodes_(static_cast<size_t>(spec.params.integer("nodes")))
      , consumers_(static_cast<size_t>(spec.params.integer("consumers")))
      , concurrency_(static_cast<size_t>(spec.params.integer("concurrency")))
      , flow_(spec.params.text("flow"))
      , dead_flow_(spec.params.text("dead_letter_flow"))
      , retry_delay_(spec.params.number("retry_delay"))
      , fsync_(spec.params.number("fsync"))
      , publish_cpu_(spec.params.number("publish_cpu"))
      , deliver_cpu_(spec.params.number("deliver_cpu"))
      , ack_cpu_(spec.params.number("ack_cpu"))
      , cpu_(*metrics_, hosts_)
      , depth_(metrics_->declare_level("depth", 0))
      , unacked_(metrics_->declare_level("unacked", 0))
      , delayed_(metrics_->declare_level("delayed", 0))
      , delay_rng_(rt.stream(spec.name, "delay"))
      , node_epoch_(nodes_, 0)
      , fsync_waiting_(nodes_)
      , fsync_signal_(nodes_)
  {
    MqQueueConfig cfg;
    cfg.max_priority   = static_cast<unsigned>(spec.params.integer("max_priority"));
    cfg.max_length     = static_cast<size_t>(spec.params.integer("max_length"));
    cfg.overflow       = spec.params.text("overflow") == "reject_publish" ? MqOverflow::RejectPublish
                                                                          : MqOverflow::DropHead;
    cfg.max_deliveries = static_cast<unsigned>(spec.params.integer("max_deliveries"));
    cfg.prefetch       = static_cast<size_t>(spec.params.integer("prefetch"));
    auto queues        = static_cast<size_t>(spec.params.integer("queues"));
    for (size_t q = 0; q < queues; ++q)
      queues_.push_back(std::make_unique<QueueState>(cfg, consumers_, q % nodes_));
    for (size_t c = 0; c < consumers_; ++c)
      consumer_states_.push_back(std::make_unique<ConsumerState>());
    for (size_t q = 0; q < queues; ++q)
      start_timer(q);
    for (size_t n = 0; n < nodes_; ++n)
      start_fsync(n);
    for (size_t c = 0; c < consumers_; ++c) {
      start_link(c);
      start_acks(c);
      for (size_t w = 0; w < concurrency_; ++w)
        start_worker(c, w);
    }
    if (!dead_flow_.empty())
      start_dead_letter_consumer();
  }

  size_t choose_replica(const FlowContext& ctx) override
  {
    if (ctx.has_key)
      return queues_[queue_of_key(ctx.key)]->node;
    return next_replica_++ % nodes_;
  }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    return step.op == "publish" ? kFrameBytes + message_bytes(ctx) : kFrameBytes;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body&) override
  {
    if (replica >= nodes_)
      return Outcome::error("not_a_broker");
    size_t q = queue_for(ctx, replica);
    if (down_[queues_[q]->node])
      return Outcome::error("unavailable");  // the queue's home node is down
    if (step.op == "consume")
      return basic_get(q);
    return publish(ctx, step, q);
  }

  void crash(size_t r) override
  {
    Component::crash(r);
    double now = rt_.now();
    if (r < nodes_)
      crash_node(r, now);
    else
      crash_consumer(r - nodes_, now);
  }

  void recover(size_t r) override
  {
    Component::recover(r);
    if (r < nodes_) {
      for (size_t q = 0; q < queues_.size(); ++q)
        if (queues_[q]->node == r) {
          dispatch(q);
          queues_[q]->timer.notify();
        }
      fsync_signal_[r].notify();
    } else {
      for (size_t q = 0; q < queues_.size(); ++q)
        dispatch(q);
      consumer_states_[r - nodes_]->work.notify();
    }
  }

  void finish() override
  {
    metrics_->set_value("ack_latency", ack_latency_n_ > 0 ? ack_latency_sum_ / ack_latency_n_ : 0);
    metrics_->set_value("messages_per_fsync", fsync_batches_ > 0 ? fsync_messages_ / fsync_batches_ : 0);
  }

private:
  struct QueueState {
    QueueState(const MqQueueConfig& cfg, size_t consumers, size_t node_)
        : q(cfg, consumers), node(node_), process(sg4::Semaphore::create(1))
    {
    }
    MqQueue q;
    size_t node;
    sg4::SemaphorePtr process;  // the queue's process: one operation at a time
    StateSignal timer;
    double shown_depth = 0, shown_unacked = 0, shown_delayed = 0;
  };
  // A delivery: (queue, message id, delivery number) is its tag.
  struct Item {
    size_t queue;
    uint64_t id;
    unsigned delivery;
    double bytes;
  };
  struct Answer {
    Item item;
    bool ok;
  };
  struct ConsumerState {
    uint64_t epoch = 0;  // crashes so far: what it held before belongs to a dead connection
    std::deque<Item> outgoing;  // assigned by the queues, not yet on the wire
    std::deque<Item> buffer;    // arrived, waiting for a worker
    std::deque<Answer> answers; // acks and nacks not yet sent
    StateSignal link, work, acks;
  };
  struct FsyncWaiter {
    size_t queue;
    uint64_t id;
    sg4::SemaphorePtr done = sg4::Semaphore::create(0);
    bool ok                = false;
  };

  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }
  size_t consumer_replica(size_t c) const { return nodes_ + c; }
  size_t queue_of_key(uint64_t key) const { return mix64(key ^ 0x6d71ULL) % queues_.size(); }

  double message_bytes(const FlowContext& ctx) const
  {
    if (ctx.key_space && ctx.has_key)
      return value_bytes(ctx);
    return ctx.req ? ctx.req->request_bytes : 1000;
  }

  // The queue a step acts on: by key; without one, round robin over the node's own queues.
  size_t queue_for(const FlowContext& ctx, size_t node)
  {
    if (ctx.has_key)
      return queue_of_key(ctx.key);
    size_t n = queues_.size();
    for (size_t k = 0; k < n; ++k) {
      size_t q = (next_queue_ + k) % n;
      if (queues_[q]->node == node || n < nodes_) {
        next_queue_ = q + 1;
        return q;
      }
    }
    return next_queue_++ % n;
  }

  void show(size_t q)
  {
    QueueState& s = *queues_[q];
    double now    = rt_.now();
    auto update   = [&](ComponentMetrics::Level& level, double& shown, size_t value) {
      auto v = static_cast<double>(value);
      if (v != shown)
        level.add(s.node, now, v - shown);
      shown = v;
    };
    update(depth_, s.shown_depth, s.q.ready());
    update(unacked_, s.shown_unacked, s.q.unacked());
    update(delayed_, s.shown_delayed, s.q.delayed());
  }

  std::vector<bool> consumers_up() const
  {
    std::vector<bool> up(consumers_);
    for (size_t c = 0; c < consumers_; ++c)
      up[c] = !down_[consumer_replica(c)];
    return up;
  }

  // Ready messages go to consumers with room in their window; the consumers' links carry them.
  void dispatch(size_t q)
  {
    QueueState& s = *queues_[q];
    if (down_[s.node] || consumers_ == 0)
      return;
    double now = rt_.now();
    for (const auto& d : s.q.dispatch(consumers_up(), now)) {
      const MqMessage* m = s.q.find(d.id);
      metrics_->count(now, "delivered");
      if (m->deliveries > 1)
        metrics_->count(now, "redelivered");
      ConsumerState& c = *consumer_states_[static_cast<size_t>(d.consumer)];
      c.outgoing.push_back({q, d.id, m->deliveries, m->bytes});
      c.link.notify();
    }
    show(q);
  }

  int space_index(const KeySpaceSpec* space) const
  {
    const auto& data = rt_.scenario().data;
    for (size_t i = 0; i < data.size(); ++i)
      if (&data[i] == space)
        return static_cast<int>(i);
    return -1;
  }

  // A run of `flow` for the message, acting on its key, as a request that began at `since`.
  FlowContext context_of(const std::string& flow, const MqMessage& m, double since)
  {
    if (!m.has_key)
      return rt_.flow_context(flow, since);
    const KeySpaceSpec* space = m.key_space >= 0 ? &rt_.scenario().data[static_cast<size_t>(m.key_space)] : nullptr;
    return rt_.flow_context(flow, since, m.key, space);
  }

  bool valid(const Item& it, size_t consumer) const
  {
    const MqMessage* m = queues_[it.queue]->q.find(it.id);
    return m && m->state == MqState::Unacked && m->owner == static_cast<int>(consumer) &&
           m->deliveries == it.delivery;
  }

  // ---- publishing --------------------------------------------------------------------------

  Outcome publish(FlowContext& ctx, const Step& step, size_t q)
  {
    QueueState& s = *queues_[q];
    s.process->acquire();
    cpu_.work(s.node, publish_cpu_);
    double now = rt_.now();
    MqMessage m;
    m.id         = next_id_++;
    m.published  = now;
    m.due        = now + std::max(0.0, step.args.dist("delay").sample(delay_rng_));
    m.key        = ctx.key;
    m.has_key    = ctx.has_key;
    m.bytes      = message_bytes(ctx);
    m.key_space  = space_index(ctx.key_space);
    m.priority   = static_cast<unsigned>(step.args.integer("priority"));
    m.persistent = step.args.flag("persistent");
    bool delayed = m.due > now;
    MqQueue::Published p = s.q.publish(m, now);
    s.process->release();
    if (!p.accepted) {
      metrics_->count(now, "rejected");
      return Outcome::error("rejected");
    }
    metrics_->count(now, "published");
    if (p.dropped)
      dead_letter(q, *p.dropped, now);
    if (delayed)
      s.timer.notify();
    else
      dispatch(q);
    show(q);
    if (m.persistent && !group_commit(q, m.id))
      return Outcome::error("unavailable");  // the node died before the fsync: no confirm
    Outcome o        = Outcome::success();
    o.response_bytes = kAckBytes;
    return o;
  }

  // Waits for the node's next fsync to cover the message.
  bool group_commit(size_t q, uint64_t id)
  {
    size_t node = queues_[q]->node;
    auto w      = std::make_shared<FsyncWaiter>();
    w->queue    = q;
    w->id       = id;
    fsync_waiting_[node].push_back(w);
    fsync_signal_[node].notify();
    w->done->acquire();
    return w->ok;
  }

  void start_fsync(size_t node)
  {
    sg4::Actor::create(name() + "-fsync-" + std::to_string(node), host(node), [this, node]() {
      while (true) {
        std::vector<std::shared_ptr<FsyncWaiter>> batch;
        fsync_signal_[node].wait([&] {
          if (down_[node])
            return false;
          batch.swap(fsync_waiting_[node]);
          return !batch.empty();
        });
        uint64_t epoch = node_epoch_[node];
        disk_wait(node, fsync_);
        double now = rt_.now();
        bool ok    = node_epoch_[node] == epoch;
        if (ok) {
          metrics_->count(now, "fsyncs");
          if (measured(now)) {
            fsync_batches_ += 1;
            fsync_messages_ += static_cast<double>(batch.size());
          }
        }
        for (auto& w : batch) {
          if (ok)
            queues_[w->queue]->q.mark_durable(w->id);
          w->ok = ok;
          w->done->release();
        }
      }
    })->daemonize();
  }

  // The delayed-message heap of one queue: sleeps until the earliest due time.
  void start_timer(size_t q)
  {
    QueueState& s = *queues_[q];
    sg4::Actor::create(name() + "-timer-" + std::to_string(q), host(s.node), [this, q, &s]() {
      while (true) {
        auto next = s.q.next_due();
        if (!next || down_[s.node]) {
          s.timer.wait([&] { return !down_[s.node] && s.q.next_due().has_value(); });
          continue;
        }
        if (*next > rt_.now() + 1e-9) {
          double target = *next;
          s.timer.wait_until(target, [&] {
            auto n = s.q.next_due();
            return down_[s.node] || !n || *n < target;  // an earlier message arrived
          });
          continue;
        }
        if (s.q.promote_due(rt_.now() + 1e-9) > 0)
          dispatch(q);
        show(q);
      }
    })->daemonize();
  }

  Outcome basic_get(size_t q)
  {
    QueueState& s = *queues_[q];
    s.process->acquire();
    cpu_.work(s.node, deliver_cpu_);
    auto m = s.q.get();
    s.process->release();
    show(q);
    if (!m) {
      Outcome o        = Outcome::success("empty");
      o.response_bytes = kFrameBytes;
      return o;
    }
    metrics_->count(rt_.now(), "delivered");
    Outcome o        = Outcome::success("got");
    o.response_bytes = kFrameBytes + m->bytes;
    return o;
  }

  // ---- consumers ---------------------------------------------------------------------------

  // Carries the consumer's deliveries from the queues' nodes, batched per queue.
  void start_link(size_t c)
  {
    ConsumerState& cs = *consumer_states_[c];
    size_t r          = consumer_replica(c);
    sg4::Actor::create(name() + "-link-" + std::to_string(c), host(r), [this, c, r, &cs]() {
      while (true) {
        std::map<size_t, std::vector<Item>> by_queue;
        cs.link.wait([&] {
          for (const Item& it : cs.outgoing)
            by_queue[it.queue].push_back(it);
          cs.outgoing.clear();
          return !by_queue.empty();
        });
        uint64_t epoch = cs.epoch;
        for (auto& [q, items] : by_queue) {
          QueueState& s = *queues_[q];
          s.process->acquire();
          cpu_.work(s.node, deliver_cpu_ * static_cast<double>(items.size()));
          s.process->release();
          double bytes = 0;
          for (const Item& it : items)
            bytes += kFrameBytes + it.bytes;
          rt_.transfer(host(s.node), host(r), bytes);
          if (cs.epoch != epoch)
            break;  // the consumer died meanwhile: its messages went back to the queues
          for (const Item& it : items)
            if (valid(it, c))
              cs.buffer.push_back(it);
          cs.work.notify();
        }
      }
    })->daemonize();
  }

  void start_worker(size_t c, size_t w)
  {
    ConsumerState& cs = *consumer_states_[c];
    size_t r          = consumer_replica(c);
    sg4::Actor::create(name() + "-worker-" + std::to_string(c) + "." + std::to_string(w), host(r),
                       [this, c, r, &cs]() {
                         while (true) {
                           Item it{};
                           cs.work.wait([&] {
                             if (down_[r] || cs.buffer.empty())
                               return false;
                             it = cs.buffer.front();  // taken while the lock is held (see mq_signal.h)
                             cs.buffer.pop_front();
                             return true;
                           });
                           if (!valid(it, c))
                             continue;  // requeued by a broker crash after it arrived
                           process(c, r, it);
                         }
                       })
        ->daemonize();
  }

  void process(size_t c, size_t r, const Item& it)
  {
    ConsumerState& cs = *consumer_states_[c];
    uint64_t epoch    = cs.epoch;
    bool ok           = true;
    if (!flow_.empty()) {
      const MqMessage& m = *queues_[it.queue]->q.find(it.id);
      FlowContext ctx    = context_of(flow_, m, m.due);
      ok              = rt_.run_flow(flow_, ctx, host(r)).ok();
    }
    if (ok) {
      if (processed_.size() <= it.id)
        processed_.resize(it.id + 1, false);
      if (processed_[it.id])
        metrics_->count(rt_.now(), "duplicates");
      processed_[it.id] = true;
    }
    if (cs.epoch != epoch || down_[r])
      return;  // the consumer died while it worked: the ack goes nowhere
    cs.answers.push_back({it, ok});
    cs.acks.notify();
  }

  // Sends the consumer's acks and nacks to the queues' nodes, batched (multiple=true).
  void start_acks(size_t c)
  {
    ConsumerState& cs = *consumer_states_[c];
    size_t r          = consumer_replica(c);
    sg4::Actor::create(name() + "-acks-" + std::to_string(c), host(r), [this, c, r, &cs]() {
      while (true) {
        std::map<size_t, std::vector<Answer>> by_queue;
        cs.acks.wait([&] {
          for (const Answer& a : cs.answers)
            by_queue[a.item.queue].push_back(a);
          cs.answers.clear();
          return !by_queue.empty();
        });
        uint64_t epoch = cs.epoch;
        for (auto& [q, answers] : by_queue) {
          QueueState& s = *queues_[q];
          rt_.transfer(host(r), host(s.node), kAckBytes * static_cast<double>(answers.size()));
          if (cs.epoch != epoch || down_[s.node])
            break;  // a dead connection: the broker requeued these already
          s.process->acquire();
          cpu_.work(s.node, ack_cpu_ * static_cast<double>(answers.size()));
          s.process->release();
          for (const Answer& a : answers)
            settle(q, c, a);
          dispatch(q);
        }
      }
    })->daemonize();
  }

  void settle(size_t q, size_t c, const Answer& a)
  {
    QueueState& s = *queues_[q];
    if (!valid(a.item, c))
      return;  // requeued meanwhile (a broker crash): this delivery no longer exists
    double now         = rt_.now();
    const MqMessage* m = s.q.find(a.item.id);
    double sent        = m->sent_at;
    if (a.ok) {
      s.q.ack(a.item.id, static_cast<int>(c));
      metrics_->count(now, "acked");
      if (measured(sent)) {
        ack_latency_sum_ += now - sent;
        ack_latency_n_ += 1;
      }
      return;
    }
    metrics_->count(now, "nacked");
    if (s.q.nack(a.item.id, static_cast<int>(c), now, retry_delay_) == MqQueue::Returned::DeadLettered)
      dead_letter(q, a.item.id, now);
    else if (retry_delay_ > 0)
      s.timer.notify();
  }

  // ---- dead letters ------------------------------------------------------------------------

  void dead_letter(size_t q, uint64_t id, double now)
  {
    auto m = queues_[q]->q.take_dead(id);
    if (!m)
      return;
    metrics_->count(now, "dead_lettered");
    if (dead_flow_.empty())
      return;
    dead_.push_back({*m, now});
    dead_signal_.notify();
  }

  void start_dead_letter_consumer()
  {
    sg4::Actor::create(name() + "-dlq", host(0), [this]() {
      while (true) {
        std::pair<MqMessage, double> next;
        dead_signal_.wait([&] {
          if (dead_.empty())
            return false;
          next = dead_.front();
          dead_.pop_front();
          return true;
        });
        const auto& [m, since] = next;
        FlowContext ctx = context_of(dead_flow_, m, since);
        rt_.run_flow(dead_flow_, ctx, host(0));
      }
    })->daemonize();
  }

  // ---- faults ------------------------------------------------------------------------------

  void crash_node(size_t node, double now)
  {
    ++node_epoch_[node];
    for (size_t q = 0; q < queues_.size(); ++q) {
      QueueState& s = *queues_[q];
      if (s.node != node)
        continue;
      size_t lost = s.q.crash(now);
      if (lost > 0)
        metrics_->count(now, "lost", static_cast<double>(lost));
      show(q);
    }
    // Publishes waiting for the next fsync never get their confirm.
    for (auto& w : fsync_waiting_[node]) {
      w->ok = false;
      w->done->release();
    }
    fsync_waiting_[node].clear();
  }

  void crash_consumer(size_t c, double now)
  {
    ConsumerState& cs = *consumer_states_[c];
    ++cs.epoch;
    cs.outgoing.clear();
    cs.buffer.clear();
    cs.answers.clear();
    for (size_t q = 0; q < queues_.size(); ++q) {
      if (down_[queues_[q]->node])
        continue;
      for (uint64_t id : queues_[q]->q.consumer_lost(static_cast<int>(c), now))
        dead_letter(q, id, now);
      dispatch(q);
    }
  }

  size_t nodes_;
  size_t consumers_;
  size_t concurrency_;
  std::string flow_;
  std::string dead_flow_;
  double retry_delay_;
  double fsync_;
  double publish_cpu_;
  double deliver_cpu_;
  double ack_cpu_;
  CpuMeter cpu_;
  ComponentMetrics::Level& depth_;
  ComponentMetrics::Level& unacked_;
  ComponentMetrics::Level& delayed_;
  Rng delay_rng_;
  std::vector<std::unique_ptr<QueueState>> queues_;
  std::vector<std::unique_ptr<ConsumerState>> consumer_states_;
  std::vector<uint64_t> node_epoch_;
  std::vector<std::vector<std::shared_ptr<FsyncWaiter>>> fsync_waiting_;
  std::vector<StateSignal> fsync_signal_;
  std::deque<std::pair<MqMessage, double>> dead_;
  StateSignal dead_signal_;
  std::vector<bool> processed_;  // per message id: its flow has succeeded once
  uint64_t next_id_   = 0;
  size_t next_queue_  = 0;
  double ack_latency_sum_ = 0, ack_latency_n_ = 0;
  double fsync_batches_ = 0, fsync_messages_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_message_queue(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<MessageQueue>(rt, spec);
}

}  // namespace archsim
