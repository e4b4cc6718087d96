// The real-time gateway behind `websocket_gateway` and `sse_gateway`.
//
// Keeps: hosts that hold long-lived connections as state (never actors: a 10^6-viewer audience
// is a table, models/gateway_connections.h), each taking memory on its host (a host refuses
// connections beyond its memory) and living on one of the host's event loops (one per core,
// connections handed out round robin, as Netty and nginx workers do); every event loop is one
// actor that runs its tasks in order: accepting connections (CPU per handshake), writing a
// message to each of its viewers of a channel (CPU per connection and per byte, one connection
// after another, so the i-th viewer's delivery time grows with i), and keep-alives (CPU per
// connection per heartbeat interval, spread over the interval as the connections' timers are);
// the bytes go from the host to the clients over the platform's links, one transfer per
// `write_batch` connections; a message published on one host reaches the other hosts with
// viewers of its channel either directly (host to host) or through a pub/sub component
// (`pubsub`: the publish runs on that component through its own `publish` operation, then the
// message goes from its host to each gateway host with viewers); a crashed host drops its
// connections, whose clients reconnect after their own backoff to a host the routing picks (a
// reconnect storm: handshakes queue on the survivors' loops), missing what was broadcast while
// they were away unless the server keeps a replay log (SSE Last-Event-ID). Every viewer's
// delivery latency (from the publish request's start) goes into one histogram (delivery.*):
// running a flow per viewer would cost 10^4 flow runs per message, a histogram costs one add
// per write batch. Abstracts away: TLS (raise connect_cpu for it), the kernel's socket buffers
// and slow readers (a slow client does not hold its loop), per-message compression, presence,
// client-to-server messages beyond their read cost, fairness between loops of one host (the
// host's cores are shared max-min by its loops), subscriptions at the pub/sub component (the
// gateway knows which hosts have viewers of a channel; the component's per-subscriber work is
// not charged), connection draining on planned restarts.
#include "models/gateway_server.h"

#include <cmath>
#include <deque>
#include <map>
#include <queue>
#include <stdexcept>

#include "models/gateway_connections.h"
#include "sim/core/hash_ring.h"
#include "sim/core/log_histogram.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

std::vector<ParamSpec> gateway_params(const GatewayFlavour& f)
{
  ParamSpec pubsub = param::component(
      "pubsub",
      "Component that relays messages between gateway hosts (a redis: its `publish` operation runs for each "
      "message that has viewers on other hosts); default: hosts send to each other directly");
  pubsub.required = false;
  return {
      param::count("replicas", "1", "Gateway hosts").range(1, 10000),
      param::count("cores", "8", "Cores per host; one event loop per core, connections spread over the loops")
          .range(1, 1024),
      param::quantity("host_memory", Unit::Size, "128GB",
                      "Memory per host for connections; a host refuses connections beyond "
                      "host_memory / memory_per_connection")
          .range(1, 1e15)
          .cite("reference-figures.md s13: Phoenix held 2M WebSocket connections on a 128 GB server"),
      param::quantity("memory_per_connection", Unit::Size, "64KB",
                      "Memory one open connection holds (socket buffers, TLS and protocol state, the handler)")
          .range(1, 1e9)
          .cite("reference-figures.md s13 (derived): <= 64 KB per connection with the framework (Phoenix, 128 GB / "
                "2M); WhatsApp's Erlang server used ~15 KB"),
      param::quantity("send_cpu", Unit::Duration, "5.6us",
                      "Event-loop time to write one message to one connection (one write() syscall), before the "
                      "per-byte cost; also the time to read one message off a connection")
          .range(0, 1)
          .cite("reference-figures.md s1 (derived): unpipelined minus pipelined Redis GET = 11.2 us for one read() "
                "and one write(): 5.6 us per write()"),
      param::quantity("cpu_per_byte", Unit::Duration, "1ns", "Event-loop time per byte written (message and frame)")
          .range(0, 1e-3)
          .cite("reference-figures.md s12: 1 MB read from memory in 250 us = 0.25 ns/B; a message crosses memory "
                "~4 times (serialise, frame, copy to the socket, checksum)"),
      param::quantity("frame_bytes", Unit::Size, f.frame, "Protocol bytes around each message").range(0, 1e6).cite(
          f.frame_source),
      param::quantity("connect_cpu", Unit::Duration, "29us",
                      "Event-loop time to accept one connection (accept, HTTP upgrade or event-stream headers); "
                      "raise it for TLS handshakes")
          .range(0, 1)
          .cite("reference-figures.md s14 (derived): NGINX ~29 us per new HTTP connection (34,344 conn/s on 1 CPU)"),
      param::quantity("heartbeat_interval", Unit::Duration, f.heartbeat,
                      "Every connection gets one keep-alive per interval (0 = none)")
          .range(0, 1e6)
          .cite(f.heartbeat_source),
      param::quantity("heartbeat_cpu", Unit::Duration, "5.6us", "Event-loop time per keep-alive per connection")
          .range(0, 1)
          .cite("reference-figures.md s1 (derived): one write() syscall, 5.6 us"),
      param::count("viewers", "0",
                   "Connections open from the start (the audience), each on a channel drawn from `channels` and "
                   "placed by `routing`")
          .range(0, 1e7),
      param::key_space("channels",
                       "Key space of the channels: viewers' channels are drawn from its popularity, and a request's "
                       "key is its channel (give the broadcasting class this key space); default: the scenario's "
                       "only key space, else everyone is on channel 0"),
      param::choice("routing", {"spread", "channel"}, "spread",
                    "Host of a new connection: spread = the host with the fewest connections (an L4 balancer); "
                    "channel = the channel's host on a consistent-hash ring (viewers of a channel together; the "
                    "next host up when it is down or full). Publishes arrive the same way")
          .cite("cheatsheet s17: route the viewers of one live video to one server by consistent hashing on its id"),
      pubsub,
      param::distribution("reconnect_delay", Unit::Duration, f.reconnect,
                          "A dropped client's wait before it reconnects; doubled after each refused attempt (at "
                          "most 64x)")
          .cite(f.reconnect_source),
      param::count("replay", f.replay,
                   "Messages per channel kept for clients that resume after a reconnect; 0 = a reconnecting client "
                   "misses what was broadcast while it was away")
          .range(0, 1e6)
          .cite(f.replay_source),
      param::count("write_batch", "50",
                   "Connections an event loop writes before handing their bytes to the network as one transfer "
                   "(simulation granularity: the viewers of one batch share a delivery time)")
          .range(1, 1e6),
  };
}

std::vector<MetricSpec> gateway_metrics()
{
  return {
      {"utilisation", Unit::Fraction, "Busy cores / cores (event loops), per host"},
      {"tasks_length", Unit::Number, "Mean tasks (messages to write, handshakes) waiting in the event loops (all "
                                     "hosts)"},
      {"connections_length", Unit::Number, "Mean open connections (all hosts)"},
      {"memory_utilisation", Unit::Fraction, "Memory held by connections / host_memory, per host"},
      {"viewers_connected", Unit::Number, "Connections open at the end of the run"},
      {"broadcasts", Unit::Count, "Messages published"},
      {"deliveries", Unit::Count, "Messages written to a connection and carried to its client"},
      {"deliveries_dropped", Unit::Count, "Deliveries lost because the executor pool was full"},
      {"relays", Unit::Count, "Copies of a message sent to another gateway host (directly or from the pub/sub "
                              "component)"},
      {"relay_failures", Unit::Count, "Viewers not reached because the pub/sub component was down"},
      {"heartbeats", Unit::Count, "Keep-alives written"},
      {"connects", Unit::Count, "Connections opened by `connect`"},
      {"refused", Unit::Count, "Connections refused: no host up with memory left"},
      {"refused_at_start", Unit::Number, "Viewers of the starting audience that found no host with memory left"},
      {"dropped", Unit::Count, "Connections dropped by a host crash"},
      {"reconnects", Unit::Count, "Dropped clients connected again"},
      {"reconnect_failures", Unit::Count, "Reconnect attempts refused (no host up with memory): retried later"},
      {"reconnect_cpu", Unit::Duration, "Event-loop time spent on reconnect handshakes and replays"},
      {"missed", Unit::Count, "Messages a reconnected client never received (broadcast while it was away and not "
                              "replayed)"},
      {"replayed", Unit::Count, "Messages replayed to resuming clients from the replay log"},
      {"recovery_time", Unit::Duration, "Longest time from a host crash until every client it dropped was connected "
                                        "again (or had left)"},
      {"delivery.mean", Unit::Duration, "Mean time from the publish request's start to a viewer receiving it"},
      {"delivery.p50", Unit::Duration, "Median of that time over every viewer of every message"},
      {"delivery.p99", Unit::Duration, "99th percentile of that time"},
      {"delivery.max", Unit::Duration, "Longest such time"},
  };
}

std::vector<OperationSpec> gateway_operations(const GatewayFlavour& f)
{
  std::vector<OperationSpec> ops = {
      {"connect", "Open a connection on the current key's channel (the request's id is the connection): a "
                  "handshake on one of the host's event loops; refused when no host has memory left",
       {param::quantity("for", Unit::Duration, "0s", "How long the client stays; 0 = until the end of the run")
            .range(0, 1e9)},
       {"connected"}},
      {"broadcast", "Publish a message (the key space's value size) to every viewer of the current key's "
                    "channel, on every host; answers once it is handed to the event loops and relays",
       {},
       {"delivered", "none"}},
  };
  if (f.two_way)
    ops.push_back({"send", "A client message over its connection: read on the connection's event loop (then the "
                           "flow goes on: call a service, broadcast)",
                   {},
                   {"received"}});
  return ops;
}

Placement gateway_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("replicas")), static_cast<int>(p.integer("cores"))};
}

namespace {

constexpr double kUpgradeBytes = 500;  // HTTP upgrade request / 101 response, or GET + event-stream headers
constexpr double kRelayHeader  = 60;   // channel and sequence number on a relayed message
constexpr uint64_t kViewerIds  = 1ULL << 62;  // ids of the audience connected at the start

struct Task {
  enum class Kind { Deliver, Accept, Work };
  Kind kind = Kind::Work;
  uint64_t channel = 0, seq = 0;  // Deliver
  double published = 0, bytes = 0;
  std::vector<uint64_t> ids;      // Accept
  bool over_network = false;      // Accept: the handshake crosses the network (reconnects)
  double seconds = 0;             // Work
  sg4::SemaphorePtr done;         // released when the task ends (or is lost in a crash)
};

struct Loop {
  std::deque<Task> queue;
  sg4::SemaphorePtr wake = sg4::Semaphore::create(0);
  double next_tick       = 0;
};

struct Event {
  double time;
  uint64_t id;
  bool expire;  // false: a reconnect attempt
  bool operator>(const Event& o) const { return time > o.time; }
};

struct Outage {
  double at;
  size_t outstanding;
};

class Gateway : public Component {
public:
  Gateway(Runtime& rt, const ComponentSpec& spec, const GatewayFlavour& f)
      : Component(rt, spec)
      , flavour_(f)
      , cores_(static_cast<size_t>(spec.params.integer("cores")))
      , mem_per_conn_(spec.params.number("memory_per_connection"))
      , table_(replicas(), cores_, mem_per_conn_, spec.params.number("host_memory"))
      , replay_(static_cast<size_t>(spec.params.integer("replay")))
      , ring_(replicas(), 64)
      , cpu_(*metrics_, hosts_)
      , conns_level_(metrics_->declare_level("connections", 0))
      , mem_level_(metrics_->declare_level("memory", spec.params.number("host_memory")))
      , tasks_level_(metrics_->declare_level("tasks", 0))
      , send_cpu_(spec.params.number("send_cpu"))
      , per_byte_(spec.params.number("cpu_per_byte"))
      , frame_(spec.params.number("frame_bytes"))
      , connect_cpu_(spec.params.number("connect_cpu"))
      , hb_interval_(spec.params.number("heartbeat_interval"))
      , hb_cpu_(spec.params.number("heartbeat_cpu"))
      , batch_(static_cast<size_t>(spec.params.integer("write_batch")))
      , spread_(spec.params.text("routing") == "spread")
      , reconnect_(spec.params.dist("reconnect_delay"))
      , reconnect_rng_(rt.stream(spec.name, "reconnect"))
      , epoch_(replicas(), 0)
      , loops_(replicas() * cores_)
  {
    const ParamValues& p = spec.params;
    if (p.has("channels") && !p.text("channels").empty())
      channels_ = rt.scenario().key_space(p.text("channels"));
    else if (rt.scenario().data.size() == 1)
      channels_ = &rt.scenario().data.front();
    if (p.has("pubsub") && !p.text("pubsub").empty()) {
      const std::string& name = p.text("pubsub");
      const ComponentSpec* c  = rt.scenario().component(name);
      const ModelSpec* m      = c ? model_catalog().find(c->model) : nullptr;
      if (!m || !m->supports("publish"))
        throw std::runtime_error("component '" + this->name() + "': pubsub '" + name +
                                 "' has no `publish` operation (use a redis)");
      broker_name_ = name;
    }
    tick_ = hb_interval_ > 0 ? std::min(hb_interval_, 1.0) : 0;
    for (size_t h = 0; h < replicas(); ++h)
      for (size_t l = 0; l < cores_; ++l) {
        loop_at(h, l).next_tick = tick_ * static_cast<double>(l + 1) / static_cast<double>(cores_);
        sg4::Actor::create(name() + "-loop-" + std::to_string(h) + "-" + std::to_string(l), host(h),
                           [this, h, l] { run_loop(h, l); })
            ->daemonize();
      }
    events_wake_ = sg4::Semaphore::create(0);
    sg4::Actor::create(name() + "-clients", host(0), [this] { run_events(); })->daemonize();
    connect_audience(static_cast<uint64_t>(p.integer("viewers")));
  }

  size_t choose_replica(const FlowContext& ctx) override
  {
    if (auto h = route(channel_of(ctx)))
      return *h;
    return next_replica_++ % replicas();
  }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    if (step.op == "broadcast" || step.op == "send")
      return message_bytes(ctx) + frame_;
    if (step.op == "connect")
      return kUpgradeBytes;
    return -1;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t h, const Body& body) override
  {
    Outcome o;
    if (step.op == "connect")
      o = connect(ctx, step, h);
    else if (step.op == "broadcast")
      o = broadcast(ctx, h);
    else if (step.op == "send")
      o = receive(ctx, h);
    else
      o = Outcome::success();
    if (o.ok() && body)
      return body();
    return o;
  }

  void crash(size_t h) override
  {
    Component::crash(h);
    ++epoch_[h];
    double now = rt_.now();
    std::vector<uint64_t> ids = table_.drop_host(h, now);
    held_changed(h, now, -static_cast<double>(ids.size()));
    metrics_->count(now, "dropped", static_cast<double>(ids.size()));
    // What its loops had queued is lost; requests waiting on it are told (they see the crash).
    for (size_t l = 0; l < cores_; ++l) {
      Loop& lp = loop_at(h, l);
      tasks_level_.add(h, now, -static_cast<double>(lp.queue.size()));
      for (auto& t : lp.queue)
        if (t.done)
          t.done->release();
      lp.queue.clear();
    }
    if (ids.empty())
      return;
    outages_.push_back({now, ids.size()});
    for (uint64_t id : ids) {
      outage_of_[id] = outages_.size() - 1;
      schedule({now + backoff(0), id, false});
    }
  }

  void finish() override
  {
    if (delivery_.count() > 0) {
      metrics_->set_value("delivery.mean", delivery_.mean());
      metrics_->set_value("delivery.p50", delivery_.quantile(0.5));
      metrics_->set_value("delivery.p99", delivery_.quantile(0.99));
      metrics_->set_value("delivery.max", delivery_.max());
    }
    double open = 0;
    for (size_t h = 0; h < replicas(); ++h)
      open += static_cast<double>(table_.live(h));
    metrics_->set_value("viewers_connected", open);
    metrics_->set_value("reconnect_cpu", reconnect_cpu_);
    // Clients still away at the end have missed what was published since they dropped.
    double still_away = 0;
    for (const auto& [id, index] : outage_of_) {
      const GatewayConn* c = table_.find(id);
      if (c && c->state != ConnState::Live && c->away_since >= rt_.scenario().run.warmup) {
        uint64_t last = table_.last_published(c->channel);
        still_away += static_cast<double>(last > c->seen ? last - c->seen : 0);
      }
    }
    metrics_->count(rt_.now(), "missed", still_away);
    bool pending = false;
    for (const auto& o : outages_)
      pending |= o.outstanding > 0;
    if (pending)
      recovery_ = std::max(recovery_, rt_.now() - outages_.back().at);
    if (!outages_.empty())
      metrics_->set_value("recovery_time", recovery_);
  }

private:
  Loop& loop_at(size_t h, size_t l) { return loops_[h * cores_ + l]; }
  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }
  uint64_t channel_of(const FlowContext& ctx) const { return ctx.has_key ? ctx.key : 0; }
  double message_bytes(const FlowContext& ctx) const { return value_bytes(ctx); }

  // ---- where connections go ----------------------------------------------------------------

  bool usable(size_t h) const { return !down_[h] && table_.fits(h); }

  std::optional<size_t> route(uint64_t channel)
  {
    if (!spread_) {
      size_t h = ring_.node_for(mix64(channel), [this](size_t n) { return usable(n); });
      return usable(h) ? std::optional<size_t>(h) : std::nullopt;
    }
    std::optional<size_t> best;
    for (size_t h = 0; h < replicas(); ++h)
      if (usable(h) && (!best || table_.held(h) < table_.held(*best)))
        best = h;
    return best;
  }

  void held_changed(size_t h, double now, double delta)
  {
    conns_level_.add(h, now, delta);
    mem_level_.add(h, now, delta * mem_per_conn_);
  }

  bool attach(uint64_t id, uint64_t channel, size_t h, double expires, size_t& loop)
  {
    if (!table_.attach(id, channel, h, expires, loop))
      return false;
    held_changed(h, rt_.now(), 1);
    return true;
  }

  void remove(uint64_t id)
  {
    const GatewayConn* c = table_.find(id);
    if (!c)
      return;
    bool held = c->state != ConnState::Away;
    size_t h  = c->host;
    table_.remove(id);
    if (held)
      held_changed(h, rt_.now(), -1);
  }

  void connect_audience(uint64_t viewers)
  {
    Rng rng = rt_.stream(name(), "viewers");
    double refused = 0;
    for (uint64_t i = 0; i < viewers; ++i) {
      uint64_t channel = channels_ ? channels_->popularity->sample(rng) : 0;
      auto h           = route(channel);
      size_t loop      = 0;
      if (!h || !attach(kViewerIds | i, channel, *h, 0, loop)) {
        ++refused;
        continue;
      }
      table_.go_live(kViewerIds | i);
    }
    if (refused > 0)
      metrics_->set_value("refused_at_start", refused);
  }

  // ---- the event loops ---------------------------------------------------------------------

  void enqueue(size_t h, size_t l, Task t)
  {
    Loop& lp = loop_at(h, l);
    lp.queue.push_back(std::move(t));
    tasks_level_.add(h, rt_.now(), 1);
    lp.wake->release();
  }

  // Runs `seconds` of work on a loop in its turn and waits for it; false if the host crashed.
  bool on_loop(size_t h, size_t l, double seconds)
  {
    uint64_t epoch = epoch_[h];
    Task t;
    t.kind    = Task::Kind::Work;
    t.seconds = seconds;
    t.done    = sg4::Semaphore::create(0);
    auto done = t.done;
    enqueue(h, l, std::move(t));
    done->acquire();
    return epoch == epoch_[h];
  }

  void run_loop(size_t h, size_t l)
  {
    Loop& lp = loop_at(h, l);
    while (true) {
      double now = rt_.now();
      if (tick_ > 0 && now >= lp.next_tick) {
        lp.next_tick += tick_;
        heartbeat(h, l);
        continue;
      }
      bool timed_out = false;
      if (tick_ > 0)
        timed_out = lp.wake->acquire_timeout(lp.next_tick - now);
      else
        lp.wake->acquire();
      if (timed_out || lp.queue.empty())
        continue;
      Task t = std::move(lp.queue.front());
      lp.queue.pop_front();
      tasks_level_.add(h, rt_.now(), -1);
      uint64_t epoch = epoch_[h];
      switch (t.kind) {
        case Task::Kind::Deliver: deliver(h, l, t, epoch); break;
        case Task::Kind::Accept: accept(h, t, epoch); break;
        case Task::Kind::Work: cpu_.work(h, t.seconds); break;
      }
      if (t.done)
        t.done->release();
    }
  }

  // Keep-alives: each connection's timer fires once per interval, at its own phase, so each
  // tick the loop writes to its share of them.
  void heartbeat(size_t h, size_t l)
  {
    double n = static_cast<double>(table_.live(h, l)) * tick_ / hb_interval_;
    if (n <= 0)
      return;
    cpu_.work(h, n * hb_cpu_);
    metrics_->count(rt_.now(), "heartbeats", n);
    double bytes = n * std::max(frame_, 2.0);
    rt_.pool().submit([this, h, bytes] { rt_.transfer(host(h), rt_.platform().client, bytes); });
  }

  // Writes one message to every viewer of its channel on this loop, one after another.
  void deliver(size_t h, size_t l, const Task& t, uint64_t epoch)
  {
    uint32_t n = table_.viewers(h, l, t.channel);
    double per = send_cpu_ + (t.bytes + frame_) * per_byte_;
    for (uint32_t done = 0; done < n;) {
      uint32_t k = std::min<uint32_t>(static_cast<uint32_t>(batch_), n - done);
      cpu_.work(h, k * per);
      if (epoch != epoch_[h])
        return;  // the host died: its viewers are away, and count this message as missed
      done += k;
      to_clients(h, k, t.bytes + frame_, t.published);
    }
    table_.written(h, l, t.channel, t.seq);
  }

  void to_clients(size_t h, double copies, double bytes, double published)
  {
    bool queued = rt_.pool().submit([this, h, copies, bytes, published] {
      rt_.transfer(host(h), rt_.platform().client, copies * bytes);
      delivered(copies, published);
    });
    if (!queued)
      metrics_->count(rt_.now(), "deliveries_dropped", copies);
  }

  void delivered(double copies, double published)
  {
    double now = rt_.now();
    metrics_->count(now, "deliveries", copies);
    if (measured(published))
      delivery_.add(std::max(0.0, now - published), static_cast<uint64_t>(copies));
  }

  // Handshakes (and, for resuming clients, the replay of what they missed), a batch at a time.
  void accept(size_t h, const Task& t, uint64_t epoch)
  {
    for (size_t i = 0; i < t.ids.size(); i += batch_) {
      std::vector<uint64_t> chunk(t.ids.begin() + static_cast<std::ptrdiff_t>(i),
                                  t.ids.begin() + static_cast<std::ptrdiff_t>(std::min(t.ids.size(), i + batch_)));
      double replays = 0;
      for (uint64_t id : chunk)
        if (const GatewayConn* c = table_.find(id); c && c->resuming) {
          uint64_t lost = 0;
          replays += static_cast<double>(
              replay_.since(c->channel, c->seen, table_.last_published(c->channel), lost).size());
        }
      double cpu = static_cast<double>(chunk.size()) * connect_cpu_ + replays * (send_cpu_ + frame_ * per_byte_);
      cpu_.work(h, cpu);
      if (t.over_network && measured(rt_.now()))
        reconnect_cpu_ += cpu;
      if (epoch != epoch_[h])
        return;
      if (!t.over_network) {
        for (uint64_t id : chunk)
          go_live(h, id);
        continue;
      }
      // The client's upgrade request and the server's answer (with the replayed messages).
      double k = static_cast<double>(chunk.size());
      rt_.pool().submit([this, h, chunk, epoch, k, replays] {
        rt_.transfer(rt_.platform().client, host(h), k * kUpgradeBytes);
        rt_.transfer(host(h), rt_.platform().client, k * kUpgradeBytes + replays * (1000 + frame_));
        if (epoch != epoch_[h])
          return;
        for (uint64_t id : chunk)
          go_live(h, id);
      });
    }
  }

  void go_live(size_t h, uint64_t id)
  {
    const GatewayConn* c = table_.find(id);
    if (!c || c->state != ConnState::Connecting || c->host != h)
      return;
    bool resuming    = c->resuming;
    uint64_t channel = c->channel, seen = c->seen;
    table_.go_live(id);
    if (!resuming)
      return;
    double now    = rt_.now();
    uint64_t lost = 0;
    std::vector<double> replayed = replay_.since(channel, seen, table_.last_published(channel), lost);
    metrics_->count(now, "reconnects");
    metrics_->count(now, "replayed", static_cast<double>(replayed.size()));
    metrics_->count(now, "missed", static_cast<double>(lost));
    for (double published : replayed)
      delivered(1, published);
    back(id, now);
  }

  // A client dropped by a crash is connected again (or left): the outage may be over.
  void back(uint64_t id, double now)
  {
    auto it = outage_of_.find(id);
    if (it == outage_of_.end())
      return;
    Outage& o = outages_[it->second];
    outage_of_.erase(it);
    if (--o.outstanding == 0)
      recovery_ = std::max(recovery_, now - o.at);
  }

  // ---- operations --------------------------------------------------------------------------

  Outcome connect(FlowContext& ctx, const Step& step, size_t h)
  {
    double now     = rt_.now();
    uint64_t id    = ctx.req ? ctx.req->id : 0;
    double lasts   = step.args.number("for");
    double expires = lasts > 0 ? now + lasts : 0;
    size_t loop    = 0;
    if (!attach(id, channel_of(ctx), h, expires, loop)) {
      metrics_->count(now, "refused");
      return Outcome::error("refused");
    }
    Task t;
    t.kind = Task::Kind::Accept;
    t.ids  = {id};
    t.done = sg4::Semaphore::create(0);
    auto done = t.done;
    enqueue(h, loop, std::move(t));
    done->acquire();
    const GatewayConn* c = table_.find(id);
    if (!c || c->state != ConnState::Live)
      return Outcome::error("unavailable");  // the host crashed during the handshake
    if (expires > 0)
      schedule({expires, id, true});
    metrics_->count(rt_.now(), "connects");
    Outcome o        = Outcome::success("connected");
    o.response_bytes = kUpgradeBytes;
    return o;
  }

  Outcome receive(FlowContext& ctx, size_t h)
  {
    uint64_t id          = ctx.req ? ctx.req->id : 0;
    const GatewayConn* c = table_.find(id);
    size_t loop          = c && c->host == h ? c->loop : static_cast<size_t>(mix64(id) % cores_);
    if (!on_loop(h, loop, send_cpu_ + (message_bytes(ctx) + frame_) * per_byte_))
      return Outcome::error("unavailable");
    Outcome o        = Outcome::success("received");
    o.response_bytes = frame_ + 2;
    return o;
  }

  Outcome broadcast(FlowContext& ctx, size_t h0)
  {
    uint64_t channel = channel_of(ctx);
    double bytes     = message_bytes(ctx);
    double published = ctx.req ? ctx.req->arrival : rt_.now();
    // The message is read off the publisher's connection (or request) on one of the loops.
    if (!on_loop(h0, static_cast<size_t>(mix64(channel) % cores_), send_cpu_ + (bytes + frame_) * per_byte_))
      return Outcome::error("unavailable");
    double now   = rt_.now();
    uint64_t seq = table_.publish(channel);
    replay_.add(channel, seq, published);
    metrics_->count(now, "broadcasts");
    std::vector<size_t> with = table_.hosts_with(channel);
    std::vector<size_t> others;
    for (size_t h : with)
      if (h != h0)
        others.push_back(h);
    fan_out(h0, channel, seq, published, bytes);
    if (!others.empty()) {
      if (broker_name_.empty()) {
        for (size_t h : others)
          relay(host(h0), h, channel, seq, published, bytes);
      } else {
        via_broker(ctx, h0, others, channel, seq, published, bytes);
      }
    }
    Outcome o        = Outcome::success(with.empty() ? "none" : "delivered");
    o.response_bytes = 100;
    return o;
  }

  void fan_out(size_t h, uint64_t channel, uint64_t seq, double published, double bytes)
  {
    if (down_[h])
      return;
    for (size_t l = 0; l < cores_; ++l)
      if (table_.viewers(h, l, channel) > 0) {
        Task t;
        t.kind      = Task::Kind::Deliver;
        t.channel   = channel;
        t.seq       = seq;
        t.published = published;
        t.bytes     = bytes;
        enqueue(h, l, std::move(t));
      }
  }

  // One copy of the message to another gateway host, which fans it out to its viewers.
  void relay(sg4::Host* from, size_t h, uint64_t channel, uint64_t seq, double published, double bytes)
  {
    metrics_->count(rt_.now(), "relays");
    bool queued = rt_.pool().submit([this, from, h, channel, seq, published, bytes] {
      rt_.transfer(from, host(h), bytes + kRelayHeader);
      fan_out(h, channel, seq, published, bytes);
    });
    if (!queued)
      metrics_->count(rt_.now(), "relay_failures", table_.viewers(h, channel));
  }

  // Through the pub/sub component: the publish runs there as its own operation (its event loop,
  // its CPU), then the component's host sends a copy to each gateway host with viewers.
  void via_broker(const FlowContext& ctx, size_t h0, const std::vector<size_t>& others, uint64_t channel, uint64_t seq,
                  double published, double bytes)
  {
    Component& broker = rt_.component(broker_name_);
    if (publish_step_.component.empty()) {
      publish_step_.kind      = Step::Kind::Op;
      publish_step_.component = broker_name_;
      publish_step_.op        = "publish";
    }
    FlowContext pub = ctx;
    pub.caller      = host(h0);
    size_t r        = broker.choose_replica(pub);
    rt_.transfer(host(h0), broker.host(r), bytes + kRelayHeader);
    Outcome o = Outcome::error("unavailable");
    if (!broker.is_down(r)) {
      double arrived = rt_.now();
      broker.enter(r);
      o = broker.serve(pub, publish_step_, r, Body{});
      broker.leave(r);
      broker.metrics().residence(arrived, rt_.now());
    } else {
      broker.metrics().count(rt_.now(), "unavailable");
    }
    if (!o.ok()) {
      double lost = 0;
      for (size_t h : others)
        lost += table_.viewers(h, channel);
      metrics_->count(rt_.now(), "relay_failures", lost);
      return;
    }
    for (size_t h : others)
      relay(broker.host(r), h, channel, seq, published, bytes);
  }

  // ---- clients coming and going ------------------------------------------------------------

  double backoff(unsigned attempts)
  {
    return reconnect_.sample(reconnect_rng_) * std::pow(2.0, std::min(attempts, 6u));
  }

  void schedule(const Event& e)
  {
    bool sooner = events_.empty() || e.time < events_.top().time;
    events_.push(e);
    if (sooner)
      events_wake_->release();
  }

  void run_events()
  {
    while (true) {
      if (events_.empty()) {
        events_wake_->acquire();
        continue;
      }
      double now = rt_.now();
      if (events_.top().time > now) {
        events_wake_->acquire_timeout(events_.top().time - now);
        continue;
      }
      std::map<std::pair<size_t, size_t>, std::vector<uint64_t>> accepts;
      while (!events_.empty() && events_.top().time <= now) {
        Event e = events_.top();
        events_.pop();
        handle(e, now, accepts);
      }
      for (auto& [where, ids] : accepts) {
        Task t;
        t.kind         = Task::Kind::Accept;
        t.ids          = std::move(ids);
        t.over_network = true;
        enqueue(where.first, where.second, std::move(t));
      }
    }
  }

  void handle(const Event& e, double now, std::map<std::pair<size_t, size_t>, std::vector<uint64_t>>& accepts)
  {
    const GatewayConn* c = table_.find(e.id);
    if (!c)
      return;
    bool away = c->state == ConnState::Away;
    if (e.expire || (c->expires > 0 && c->expires <= now)) {
      if (e.expire && c->expires > now)
        return;
      remove(e.id);  // the client's time is up: it leaves (a dropped one stops trying)
      if (away)
        back(e.id, now);
      return;
    }
    if (!away)
      return;
    auto h      = route(c->channel);
    size_t loop = 0;
    if (!h || !attach(e.id, c->channel, *h, c->expires, loop)) {
      metrics_->count(now, "reconnect_failures");
      schedule({now + backoff(table_.failed_attempt(e.id)), e.id, false});
      return;
    }
    accepts[{*h, loop}].push_back(e.id);
  }

  GatewayFlavour flavour_;
  size_t cores_;
  double mem_per_conn_;
  GatewayTable table_;
  ReplayLog replay_;
  HashRing ring_;
  CpuMeter cpu_;
  ComponentMetrics::Level& conns_level_;
  ComponentMetrics::Level& mem_level_;
  ComponentMetrics::Level& tasks_level_;
  double send_cpu_, per_byte_, frame_, connect_cpu_, hb_interval_, hb_cpu_;
  size_t batch_;
  bool spread_;
  const Distribution& reconnect_;
  Rng reconnect_rng_;
  std::vector<uint64_t> epoch_;
  std::vector<Loop> loops_;
  double tick_ = 0;
  const KeySpaceSpec* channels_ = nullptr;
  std::string broker_name_;
  Step publish_step_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  sg4::SemaphorePtr events_wake_;
  std::vector<Outage> outages_;
  std::unordered_map<uint64_t, size_t> outage_of_;
  double recovery_     = 0;
  double reconnect_cpu_ = 0;
  LogHistogram delivery_;
};

}  // namespace

std::unique_ptr<Component> make_gateway(Runtime& rt, const ComponentSpec& spec, const GatewayFlavour& f)
{
  return std::make_unique<Gateway>(rt, spec, f);
}

}  // namespace archsim
