// coordination: a ZooKeeper-like ensemble (locks, leader election, membership, configuration).
//
// Keeps: a small ensemble of nodes, one host each, with one leader; every write goes to the
// leader (forwarded by the node the client is connected to), runs on the leader's
// single-threaded request pipeline (CPU per write plus per follower, what makes writes slower on
// bigger ensembles), is proposed to every follower over the network, logged with a real fsync at
// each node (one log writer per node with group commit: proposals that arrive during an fsync
// share the next one) and committed once a majority has logged it; followers apply the commit
// when it reaches them, so a read served locally by a follower can be stale (counted against
// the leader's committed tree). Sessions expire when the ensemble has not heard from them for
// the session timeout, and their ephemeral nodes go in a real transaction; locks and elections
// are the ephemeral (sequential) node recipes: one holder, waiters in order, the lowest waiter
// takes over when the holder's node goes; watches fire once when their node applies a change and
// travel to the client. A leader crash leaves the ensemble without a leader until a new one is
// chosen (the up node with the most logged transactions) after the election timeout, and
// nothing is served without a majority up. Every client's own view of its lease (the send time
// of its last acknowledged request + the session timeout) is logged to check that two clients
// never believe they hold one lock at once (max_holders).
// Abstracts away: the ZAB discovery and synchronisation phases (a new leader has every
// transaction the old one had prepared; a recovering node catches up at once), snapshots, the
// client library's connection management (a client's session lives on the node its key hashes
// to, the next one up if that one is down; a client blocked waiting for a lock is kept alive by
// its library's pings), the per-tick batching of session touches and expiries (exact times
// here), children lists and sequential names (locks keep their waiters' order themselves),
// ACLs, quotas, observers, multi-ops, the `sync` call.
#include "models/coordination.h"

#include <memory>
#include <queue>
#include <unordered_map>

#include "models/coordination_state.h"
#include "sim/core/hash_ring.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

const ModelSpec& coordination_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "coordination";
    s.summary   = "ZooKeeper-like ensemble: leader writes committed by a quorum, local reads, sessions, ephemeral "
                  "nodes, locks, leader election, watches";
    s.keeps     = "one leader serialising writes on a single-threaded pipeline; proposals over the network, a real "
                  "fsync per node with group commit, commit at a majority; follower reads that can be stale; "
                  "sessions that expire after the timeout and delete their ephemeral nodes in a transaction; lock and "
                  "election recipes with one holder and ordered waiters; one-shot watches delivered over the "
                  "network; re-election after the election timeout, nothing served without a majority";
    s.abstracts = "ZAB discovery/synchronisation (a new leader keeps every prepared transaction), snapshots, client "
                  "connection management, per-tick session batching, children lists and sequential names, ACLs, "
                  "observers, multi-ops, sync";
    s.params    = {
        param::count("nodes", "3", "Servers in the ensemble (one host each); a majority must be up")
            .range(1, 15)
            .cite("reference-figures.md s11: ZooKeeper paper measured ensembles of 3 to 13 servers"),
        param::quantity("read_cpu", Unit::Duration, "34us",
                        "Pipeline time per read (get, watch, renew) at the node that serves it")
            .range(0, 1)
            .cite("reference-figures.md s11 (derived): 87k reads/s saturate 3 servers = 29k/s per server = 34 us"),
        param::quantity("write_cpu", Unit::Duration, "40us",
                        "Leader pipeline time per write, before the per-follower cost")
            .range(0, 1)
            .cite("reference-figures.md s11 (derived): 21k writes/s on 3 servers and 18k on 5 = 47.6 and 55.6 us "
                  "per write at the leader: 39.6 us + 4 us per follower"),
        param::quantity("follower_cpu", Unit::Duration, "4us",
                        "Leader pipeline time per follower per write (sending the proposal, counting the ack)")
            .range(0, 1)
            .cite("reference-figures.md s11 (derived): (55.6 - 47.6 us) / 2 more followers"),
        param::quantity("fsync", Unit::Duration, "0.7ms", "Time of one fsync of the transaction log at a node")
            .range(0, 10)
            .cite("reference-figures.md s11 (derived): a synchronous create averages 1.2 ms on 3 servers with a "
                  "dedicated log disk, minus ~0.5 ms of network (client round trip, forward, proposal, ack in one "
                  "rack) and CPU; s7 gives 5.9 ms for a consumer SSD"),
        param::quantity("session_timeout", Unit::Duration, "10s",
                        "A session expires when the ensemble has heard nothing from it for this long; its ephemeral "
                        "nodes (locks, leadership, membership) go with it")
            .range(1e-3, 1e6)
            .cite("reference-figures.md s6: session.timeout.ms 10 s of Kafka's classic consumer group, a "
                  "session of the same kind; ZooKeeper allows 2 to 20 ticks of 2 s (estimate, not in the sheet)"),
        param::quantity("election_timeout", Unit::Duration, "200ms",
                        "Time from the leader's crash (or the loss of a majority) to a new leader serving")
            .range(0, 1e4)
            .cite("reference-figures.md s11: under 200 ms to elect a new leader (5 servers, 30% writes)"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy CPU / cores, per node"},
        {"thread_utilisation", Unit::Fraction, "Request pipeline busy / time, per node"},
        {"queue_length", Unit::Number, "Mean requests waiting for a node's pipeline (all nodes)"},
        {"writes", Unit::Count, "Transactions committed (client writes and session closes)"},
        {"reads", Unit::Count, "Reads served locally (get)"},
        {"stale_reads", Unit::Count, "Reads that saw an older version than the leader had committed"},
        {"stale_ratio", Unit::Fraction, "stale_reads / reads"},
        {"commit_latency", Unit::Duration, "Mean time from the leader's proposal to its commit (quorum of fsyncs)"},
        {"fsyncs", Unit::Count, "Log fsyncs at all nodes"},
        {"fsync_batch", Unit::Number, "Mean transactions made durable per fsync (group commit)"},
        {"elections", Unit::Count, "Leaders elected after a leader crash or a lost majority"},
        {"leaderless_time", Unit::Duration, "Total time without a leader after warm-up"},
        {"no_leader", Unit::Count, "Requests refused because there was no leader (election or no majority)"},
        {"connection_loss", Unit::Count, "Writes whose leader died before answering (the client cannot know the "
                                         "result)"},
        {"sessions_expired", Unit::Count, "Sessions expired for lack of contact"},
        {"lock_acquired", Unit::Count, "lock calls that took the lock (not those that already held it)"},
        {"lock_busy", Unit::Count, "lock calls that found it held (after waiting, if they waited)"},
        {"lock_released", Unit::Count, "unlock calls by the holder"},
        {"lock_expired", Unit::Count, "Locks and leaderships lost because the holder's session expired"},
        {"leader_changes", Unit::Count, "elect calls that made their caller the leader"},
        {"followers", Unit::Count, "elect calls answered 'follower' (someone else leads)"},
        {"max_holders", Unit::Number, "Most clients that believed at one instant that they held the same lock or "
                                      "leadership (1 = mutual exclusion held)"},
        {"watch_events", Unit::Count, "Watch notifications delivered to clients"},
        {"watch_latency", Unit::Duration, "Mean time from a change's commit to its watch notification reaching "
                                          "the client"},
        {"watch_latency_p99", Unit::Duration, "99th percentile of that time"},
    };
    ParamSpec name = param::text("name", "",
                                 "Path of the znode, lock or election (any text); default: the step's current key");
    ParamSpec wait = param::quantity("wait", Unit::Duration, "0s",
                                     "How long to wait in line for the lock (a sequential node watching its "
                                     "predecessor); 0 = try once")
                         .range(0, 1e6);
    s.operations = {
        {"create", "Create a znode (a write through the leader and a quorum)",
         {name, param::flag("ephemeral", false, "Owned by the caller's session: deleted when it expires")},
         {"created", "exists"}},
        {"delete", "Delete a znode (a write)", {name}, {"deleted", "absent"}},
        {"set", "Set a znode's data (a write), optionally only if its version is the one this request read",
         {name, param::flag("check_version", false, "Fail with 'conflict' if the znode changed since this "
                                                     "request's get")},
         {"set", "conflict", "absent"}},
        {"get", "Read a znode at the node the client is connected to (local, possibly stale)", {name},
         {"found", "absent"}},
        {"watch", "Leave a one-shot watch on a znode: the client is notified of its next change", {name}, {"set"}},
        {"lock", "Take a lock (ephemeral node of the caller's session): held until unlock or the session expires",
         {name, wait}, {"acquired", "busy"}},
        {"unlock", "Release a lock held by the caller's session (the next waiter takes it)", {name},
         {"released", "not_owner"}},
        {"elect", "Stand for leader: the first session to create the election's ephemeral node leads until its "
                  "session expires",
         {name}, {"leader", "follower"}},
        {"renew", "Session heartbeat (ping): keeps the caller's session, and its locks, alive", {},
         {"renewed"}},
    };
    return s;
  }();
  return spec;
}

Placement coordination_placement(const ParamValues& p)
{
  // The request pipeline is one thread: one core per node runs it.
  return {static_cast<size_t>(p.integer("nodes")), 1};
}

namespace {

enum class Op { Create, Delete, Set, Get, Watch, Lock, Unlock, Elect, Renew };

Op op_of(const std::string& s)
{
  static const std::unordered_map<std::string, Op> ops = {
      {"create", Op::Create}, {"delete", Op::Delete}, {"set", Op::Set},       {"get", Op::Get},     {"watch", Op::Watch},
      {"lock", Op::Lock},     {"unlock", Op::Unlock}, {"elect", Op::Elect}, {"renew", Op::Renew},
  };
  return ops.at(s);
}

constexpr double kHeaderBytes = 100;  // a ZooKeeper request / reply header and path
constexpr double kAckBytes    = 60;

// The versions this request has read, for set with check_version.
struct ReadVersions {
  std::unordered_map<uint64_t, uint64_t> seen;
};

// What the leader decided for a write: the answer, and whether it makes a transaction.
struct Decision {
  Outcome outcome;
  bool txn = false;
  bool wait_for_lock = false;  // lock with wait: the caller's sequential node is in line
};

struct Waiter {
  size_t node      = 0;
  bool granted     = false;
  sg4::SemaphorePtr sem = sg4::Semaphore::create(0);
};

struct Pending {
  uint64_t zxid = 0;
  double since  = 0;  // proposed
  double committed_at = 0;
  size_t acks   = 0;
  bool ready    = false;
  bool lost     = false;
  std::vector<uint64_t> paths;
  std::vector<std::pair<uint64_t, uint64_t>> grants;  // (lock, session) that hold from the commit
  sg4::SemaphorePtr done = sg4::Semaphore::create(0);
};

class Coordination : public Component {
public:
  Coordination(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , procs_(*metrics_, replicas(), 1, 0)
      , cpu_(*metrics_, hosts_)
      , read_cpu_(spec.params.number("read_cpu"))
      , write_cpu_(spec.params.number("write_cpu") +
                   spec.params.number("follower_cpu") * static_cast<double>(replicas() - 1))
      , fsync_(spec.params.number("fsync"))
      , election_timeout_(spec.params.number("election_timeout"))
      , sessions_(spec.params.number("session_timeout"))
      , applied_(replicas(), 0)
      , logged_(replicas(), 0)
      , logs_(replicas())
      , watches_(replicas())
  {
    for (const auto& name : rt.scenario().measured_class_names()) {
      std::string space;
      for (const auto& c : rt.scenario().workload)
        if (c.name == name)
          space = c.key_space;
      class_spaces_.push_back(space);
    }
    leader_ = 0;
    for (size_t n = 0; n < replicas(); ++n) {
      logs_[n].wake = sg4::Semaphore::create(0);
      sg4::Actor::create(name() + "-log-" + std::to_string(n), host(n), [this, n] { log_writer(n); })->daemonize();
    }
    elector_wake_ = sg4::Semaphore::create(0);
    tracker_wake_ = sg4::Semaphore::create(0);
    sg4::Actor::create(name() + "-elector", host(0), [this] { elector(); })->daemonize();
    sg4::Actor::create(name() + "-sessions", host(0), [this] { session_tracker(); })->daemonize();
  }

  // A client keeps its session on one node: the one its session hashes to, or the next one up.
  size_t choose_replica(const FlowContext& ctx) override
  {
    size_t n = static_cast<size_t>(mix64(session_of(ctx)) % replicas());
    for (size_t k = 0; k < replicas(); ++k)
      if (!down_[(n + k) % replicas()])
        return (n + k) % replicas();
    return n;
  }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    Op op = op_of(step.op);
    if (op == Op::Create || op == Op::Set)
      return kHeaderBytes + value_bytes(ctx);
    return kHeaderBytes;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t n, const Body&) override
  {
    Op op = op_of(step.op);
    if (!leader_) {
      metrics_->count(rt_.now(), "no_leader");
      return Outcome::error("no_leader");
    }
    uint64_t session = session_of(ctx);
    uint64_t path    = path_of(ctx, step);
    double sent      = ctx.req ? ctx.req->arrival : rt_.now();
    switch (op) {
      case Op::Get: return read(ctx, n, path, session, sent);
      case Op::Watch: return watch(ctx, n, path);
      case Op::Renew: return renew(n, session, sent);
      default: break;
    }
    if (op != Op::Create && op != Op::Delete && op != Op::Set && !sessions_.touch(session, rt_.now(), sent))
      return Outcome::error("session_expired");
    if (op == Op::Lock || op == Op::Elect || op == Op::Unlock)
      track(session);
    double bytes = value_bytes(ctx);
    if (op == Op::Lock)
      return lock(n, path, session, sent, step.args.number("wait"));
    auto decide = [&, op](uint64_t zxid) { return decide_write(ctx, op, step, path, session, bytes, zxid); };
    return write(n, kHeaderBytes + bytes, decide).outcome;
  }

  void crash(size_t n) override
  {
    Component::crash(n);
    for (auto& [path, list] : watches_[n])
      list.clear();
    // Appends waiting for this node's fsync give up (their proposal is lost here).
    for (auto& [zxid, sem] : logs_[n].pending)
      sem->release();
    logs_[n].pending.clear();
    size_t up = 0;
    for (size_t k = 0; k < replicas(); ++k)
      up += down_[k] ? 0 : 1;
    if ((leader_ && *leader_ == n) || (leader_ && up < majority(replicas())))
      lose_leader();
  }

  void recover(size_t n) override
  {
    Component::recover(n);
    // Catches up with the leader's log at once (the synchronisation phase is abstracted away).
    logged_[n]  = next_zxid_;
    applied_[n] = committed_;
    if (!leader_)
      elector_wake_->release();
  }

  void finish() override
  {
    double now = rt_.now();
    if (reads_ > 0)
      metrics_->set_value("stale_ratio", stale_ / reads_);
    if (commit_latency_.count() > 0)
      metrics_->set_value("commit_latency", commit_latency_.mean());
    if (fsyncs_ > 0)
      metrics_->set_value("fsync_batch", fsynced_txns_ / fsyncs_);
    if (!leader_)
      add_leaderless(leaderless_since_, now);
    metrics_->set_value("leaderless_time", leaderless_);
    metrics_->set_value("max_holders", static_cast<double>(holders_.max_overlap(now, sessions_)));
    if (watch_latency_.count() > 0) {
      metrics_->set_value("watch_latency", watch_latency_.mean());
      metrics_->set_value("watch_latency_p99", watch_latency_.quantile(0.99));
    }
  }

private:
  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }

  // The session of the client that sent the request: one per key of the request class's key
  // space (a worker, a scheduler instance), else one per request.
  uint64_t session_of(const FlowContext& ctx) const
  {
    if (!ctx.req)
      return 1;
    size_t c   = ctx.req->class_index;
    uint64_t s = ctx.req->has_key && c < class_spaces_.size() && !class_spaces_[c].empty()
                     ? item_id(class_spaces_[c], ctx.req->key)
                     : mix64(ctx.req->id);
    return s != 0 ? s : 1;  // 0 means no session
  }

  uint64_t path_of(const FlowContext& ctx, const Step& step) const
  {
    const std::string& name = step.args.has("name") ? step.args.text("name") : empty_;
    if (!name.empty())
      return item_id(name, 0x7a6e6f6465ULL);
    if (ctx.has_key)
      return ctx.key_space ? item_id(ctx.key_space->name, ctx.key) : ctx.key;
    return 0;
  }

  // ---- reads -------------------------------------------------------------------------------

  void pipeline(size_t n, double seconds)
  {
    procs_.acquire(n);
    cpu_.work(n, seconds);
    procs_.release(n);
  }

  Outcome read(FlowContext& ctx, size_t n, uint64_t path, uint64_t session, double sent)
  {
    pipeline(n, read_cpu_);
    double now = rt_.now();
    if (sessions_.known(session) && !sessions_.expired(session))
      sessions_.touch(session, now, sent);
    ZnodeView v = store_.view(path, applied_[n]);
    ++reads_;
    metrics_->count(now, "reads");
    if (v.version != store_.view(path, committed_).version) {
      ++stale_;
      metrics_->count(now, "stale_reads");
    }
    auto seen = std::static_pointer_cast<ReadVersions>(ctx.session(this));
    if (!seen) {
      seen = std::make_shared<ReadVersions>();
      ctx.set_session(this, seen);
    }
    seen->seen[path] = v.version;
    Outcome o        = Outcome::success(v.exists ? "found" : "absent");
    o.response_bytes = kHeaderBytes + (v.exists ? store_.bytes(path) : 0);
    return o;
  }

  Outcome watch(FlowContext& ctx, size_t n, uint64_t path)
  {
    pipeline(n, read_cpu_);
    watches_[n][path].push_back(ctx.caller ? ctx.caller : rt_.platform().client);
    Outcome o        = Outcome::success("set");
    o.response_bytes = kHeaderBytes;
    return o;
  }

  Outcome renew(size_t n, uint64_t session, double sent)
  {
    pipeline(n, read_cpu_);
    if (!sessions_.touch(session, rt_.now(), sent))
      return Outcome::error("session_expired");
    track(session);
    Outcome o        = Outcome::success("renewed");
    o.response_bytes = kHeaderBytes;
    return o;
  }

  // ---- writes ------------------------------------------------------------------------------

  Decision decide_write(FlowContext& ctx, Op op, const Step& step, uint64_t path, uint64_t session, double bytes,
                        uint64_t zxid)
  {
    Decision d;
    double now     = rt_.now();
    ZnodeView cur  = store_.current(path);
    switch (op) {
      case Op::Create:
        if (cur.exists)
          return {Outcome::success("exists")};
        if (step.args.flag("ephemeral")) {
          if (!sessions_.touch(session, now, ctx.req ? ctx.req->arrival : now))
            return {Outcome::error("session_expired")};
          track(session);
        }
        store_.create(path, zxid, step.args.flag("ephemeral") ? session : 0, bytes);
        pending_paths_.push_back(path);
        return {Outcome::success("created"), true};
      case Op::Delete:
        if (!cur.exists)
          return {Outcome::success("absent")};
        release_path(path, zxid, session);
        return {Outcome::success("deleted"), true};
      case Op::Set: {
        if (!cur.exists)
          return {Outcome::success("absent")};
        if (step.args.flag("check_version")) {
          auto seen = std::static_pointer_cast<ReadVersions>(ctx.session(this));
          if (!seen || seen->seen.count(path) == 0 || seen->seen.at(path) != cur.version)
            return {Outcome::success("conflict")};
        }
        store_.set(path, zxid, bytes);
        pending_paths_.push_back(path);
        return {Outcome::success("set"), true};
      }
      case Op::Unlock: {
        if (locks_.holder(path) != session)
          return {Outcome::success("not_owner")};
        holders_.ended(path, session, now);  // released by the client itself
        pass_lock(path, locks_.release(path, session), zxid);
        metrics_->count(now, "lock_released");
        return {Outcome::success("released"), true};
      }
      case Op::Elect: {
        LockTable::Try t = locks_.try_acquire(path, session);
        if (t == LockTable::Try::Busy) {
          metrics_->count(now, "followers");
          return {Outcome::success("follower")};
        }
        if (t == LockTable::Try::AlreadyHeld)
          return {Outcome::success("leader")};
        store_.create(path, zxid, session, bytes);
        pending_grants_.emplace_back(path, session);
        metrics_->count(now, "leader_changes");
        return {Outcome::success("leader"), true};
      }
      default: break;
    }
    return d;
  }

  // A lock or election node passes to the next waiter (or goes).
  void pass_lock(uint64_t path, uint64_t next, uint64_t zxid)
  {
    pending_paths_.push_back(path);
    if (next != 0) {
      store_.create(path, zxid, next, store_.bytes(path));
      pending_grants_.emplace_back(path, next);
    } else {
      store_.remove(path, zxid);
    }
  }

  // A delete of a path that may be a lock: its holder loses it (the next waiter takes over),
  // knowing it only if it deleted the node itself.
  void release_path(uint64_t path, uint64_t zxid, uint64_t by)
  {
    uint64_t owner = locks_.holder(path);
    if (owner != 0) {
      holders_.ended(path, owner, owner == by ? rt_.now() : sessions_.belief(owner));
      pass_lock(path, locks_.release(path, owner), zxid);
    } else {
      store_.remove(path, zxid);
      pending_paths_.push_back(path);
    }
  }

  Outcome lock(size_t n, uint64_t path, uint64_t session, double sent, double wait)
  {
    double started = rt_.now();
    Decision d     = write(n, kHeaderBytes, [&](uint64_t zxid) {
      LockTable::Try t = locks_.try_acquire(path, session);
      if (t == LockTable::Try::AlreadyHeld)
        return Decision{Outcome::success("acquired")};
      if (t == LockTable::Try::Acquired) {
        store_.create(path, zxid, session, kHeaderBytes);
        pending_grants_.emplace_back(path, session);
        metrics_->count(rt_.now(), "lock_acquired");
        return Decision{Outcome::success("acquired"), true};
      }
      if (wait <= 0) {
        metrics_->count(rt_.now(), "lock_busy");
        return Decision{Outcome::success("busy")};
      }
      locks_.wait(path, session);  // the caller's sequential node joins the line
      auto w        = std::make_shared<Waiter>();
      w->node       = n;
      waiters_[{path, session}] = w;
      return Decision{Outcome::success("busy"), true, true};
    });
    if (!d.wait_for_lock) {
      if (d.outcome.ok())
        sessions_.touch(session, rt_.now(), sent);
      else
        waiters_.erase({path, session});  // the leader died: the client does not know it is in line
      return d.outcome;
    }
    auto w          = waiters_.at({path, session});
    double left     = std::max(0.0, wait - (rt_.now() - started));
    bool timed_out  = w->granted ? false : w->sem->acquire_timeout(left);
    waiters_.erase({path, session});
    if (!timed_out || locks_.holder(path) == session) {
      metrics_->count(rt_.now(), "lock_acquired");
      return Outcome::success("acquired");
    }
    // Gave up: its sequential node is deleted (another write).
    Decision undo = write(n, kHeaderBytes, [&](uint64_t) {
      if (locks_.holder(path) == session)
        return Decision{Outcome::success("acquired")};
      locks_.stop_waiting(path, session);
      return Decision{Outcome::success("busy"), true};
    });
    if (undo.outcome.ok() && undo.outcome.tag == "busy")
      metrics_->count(rt_.now(), "lock_busy");
    else if (undo.outcome.ok())
      metrics_->count(rt_.now(), "lock_acquired");
    return undo.outcome;
  }

  // A write from node `n`: forwarded to the leader, decided on its pipeline (in order), proposed
  // to the followers, committed at a majority of fsyncs, answered from the leader through `n`.
  Decision write(size_t n, double bytes, const std::function<Decision(uint64_t zxid)>& decide)
  {
    size_t leader = *leader_;
    uint64_t term = term_;
    rt_.transfer(host(n), host(leader), bytes);
    if (term != term_ || down_[leader])
      return lost();
    procs_.acquire(leader);
    cpu_.work(leader, write_cpu_);
    if (term != term_ || down_[leader]) {
      procs_.release(leader);
      return lost();
    }
    Decision d;
    auto p = start(leader, term, bytes, d, decide);
    procs_.release(leader);
    if (p) {
      p->done->acquire();
      if (p->lost)
        return lost();
    }
    rt_.transfer(host(leader), host(n), kHeaderBytes);
    return d;
  }

  // On the leader, in pipeline order: decides; a decision that changes state becomes a
  // transaction with the next zxid, proposed to every node at once.
  std::shared_ptr<Pending> start(size_t leader, uint64_t term, double bytes, Decision& d,
                                 const std::function<Decision(uint64_t zxid)>& decide)
  {
    uint64_t zxid = next_zxid_ + 1;
    pending_grants_.clear();
    pending_paths_.clear();
    d = decide(zxid);
    if (!d.txn)
      return nullptr;
    auto p   = std::make_shared<Pending>();
    p->zxid  = zxid;
    p->since = rt_.now();
    p->grants.swap(pending_grants_);
    p->paths.swap(pending_paths_);
    next_zxid_     = zxid;
    pending_[zxid] = p;
    propose(p, leader, term, bytes);
    return p;
  }

  Decision lost()
  {
    metrics_->count(rt_.now(), "connection_loss");
    return {Outcome::error("connection_loss")};
  }

  // ---- atomic broadcast --------------------------------------------------------------------

  void propose(const std::shared_ptr<Pending>& p, size_t leader, uint64_t term, double bytes)
  {
    for (size_t f = 0; f < replicas(); ++f) {
      if (down_[f])
        continue;
      bool queued = rt_.pool().submit([this, p, f, leader, term, bytes] {
        if (f != leader)
          rt_.transfer(host(leader), host(f), bytes);
        if (down_[f] || term != term_)
          return;
        auto logged = append(f, p->zxid);
        logged->acquire();
        if (down_[f] || term != term_)
          return;
        if (f != leader)
          rt_.transfer(host(f), host(leader), kAckBytes);
        if (term != term_)
          return;
        if (++p->acks >= majority(replicas()) && !p->ready) {
          p->ready = true;
          commit_ready(leader, term);
        }
      });
      (void)queued;  // an executor refused is a lost proposal: the quorum may still be reached
    }
  }

  // Commits, in zxid order, every transaction whose quorum is complete.
  void commit_ready(size_t leader, uint64_t term)
  {
    while (!pending_.empty() && pending_.begin()->second->ready && pending_.begin()->first == committed_ + 1) {
      auto p = pending_.begin()->second;
      pending_.erase(pending_.begin());
      commit(p, leader, term);
    }
  }

  void commit(const std::shared_ptr<Pending>& p, size_t leader, uint64_t term)
  {
    double now      = rt_.now();
    committed_      = p->zxid;
    p->committed_at = now;
    metrics_->count(now, "writes");
    if (measured(p->since))
      commit_latency_.add(now - p->since);
    for (const auto& [lock, session] : p->grants)
      holders_.acquired(lock, session, now);
    apply(leader, p);
    p->done->release();
    for (size_t f = 0; f < replicas(); ++f) {
      if (f == leader || down_[f])
        continue;
      rt_.pool().submit([this, p, f, leader, term] {
        rt_.transfer(host(leader), host(f), kAckBytes);  // COMMIT
        if (!down_[f] && term == term_)
          apply(f, p);
      });
    }
  }

  // Node `n` applies a committed transaction: its reads see it, its watches and lock waiters
  // on the changed paths are told.
  void apply(size_t n, const std::shared_ptr<Pending>& p)
  {
    applied_[n] = std::max(applied_[n], p->zxid);
    for (const auto& [lock, session] : p->grants) {
      auto it = waiters_.find({lock, session});
      if (it != waiters_.end() && it->second->node == n && !it->second->granted) {
        it->second->granted = true;
        sessions_.touch(session, rt_.now(), rt_.now());  // its library kept pinging while it waited
        it->second->sem->release();
      }
    }
    for (uint64_t path : changed_paths(p))
      fire_watches(n, path, p->committed_at);
  }

  std::vector<uint64_t> changed_paths(const std::shared_ptr<Pending>& p) const
  {
    std::vector<uint64_t> out = p->paths;
    for (const auto& g : p->grants)
      out.push_back(g.first);
    return out;
  }

  void fire_watches(size_t n, uint64_t path, double changed)
  {
    auto it = watches_[n].find(path);
    if (it == watches_[n].end() || it->second.empty())
      return;
    std::vector<sg4::Host*> clients;
    clients.swap(it->second);
    for (sg4::Host* client : clients)
      rt_.pool().submit([this, n, client, changed] {
        rt_.transfer(host(n), client, kHeaderBytes);
        double now = rt_.now();
        metrics_->count(now, "watch_events");
        if (measured(changed))
          watch_latency_.add(now - changed);
      });
  }

  // The log of node `n`: an append waits for the fsync that covers it.
  sg4::SemaphorePtr append(size_t n, uint64_t zxid)
  {
    Log& log = logs_[n];
    auto sem = sg4::Semaphore::create(0);
    log.pending.emplace_back(zxid, sem);
    if (log.idle) {
      log.idle = false;
      log.wake->release();
    }
    return sem;
  }

  // One writer per node: takes every append waiting, fsyncs once, releases them (group commit).
  void log_writer(size_t n)
  {
    Log& log = logs_[n];
    while (true) {
      if (log.pending.empty()) {
        log.idle = true;
        log.wake->acquire();
        continue;
      }
      std::vector<std::pair<uint64_t, sg4::SemaphorePtr>> batch(log.pending.begin(), log.pending.end());
      log.pending.clear();
      disk_wait(n, fsync_);
      double now = rt_.now();
      metrics_->count(now, "fsyncs");
      if (measured(now)) {
        ++fsyncs_;
        fsynced_txns_ += static_cast<double>(batch.size());
      }
      for (auto& [zxid, sem] : batch) {
        if (!down_[n])
          logged_[n] = std::max(logged_[n], zxid);
        sem->release();
      }
    }
  }

  // ---- leadership --------------------------------------------------------------------------

  void lose_leader()
  {
    leader_.reset();
    ++term_;
    leaderless_since_ = rt_.now();
    // Writes in flight end in connection loss for their clients; their effects survive (the
    // new leader has them: see the file comment).
    for (auto& [zxid, p] : pending_) {
      p->lost = true;
      p->done->release();
    }
    elector_wake_->release();
  }

  void elector()
  {
    while (true) {
      elector_wake_->acquire();
      if (leader_)
        continue;
      sg4::this_actor::sleep_for(election_timeout_);
      if (leader_)
        continue;
      std::vector<bool> up(replicas());
      for (size_t n = 0; n < replicas(); ++n)
        up[n] = !down_[n];
      auto chosen = choose_leader(up, logged_);
      if (!chosen)
        continue;  // waits for a recovery to wake it again
      double now = rt_.now();
      // The new leader commits what the old one had prepared.
      auto pending = std::move(pending_);
      pending_.clear();
      leader_ = *chosen;
      ++term_;
      for (auto& [zxid, p] : pending) {
        committed_      = zxid;
        p->committed_at = now;
        for (const auto& [lock, session] : p->grants)
          holders_.acquired(lock, session, now);
        for (size_t n = 0; n < replicas(); ++n)
          if (!down_[n])
            apply(n, p);
      }
      committed_ = next_zxid_;
      for (size_t n = 0; n < replicas(); ++n)
        if (!down_[n]) {
          logged_[n]  = next_zxid_;
          applied_[n] = committed_;
        }
      sessions_.reset_all(now);
      metrics_->count(now, "elections");
      add_leaderless(leaderless_since_, now);
    }
  }

  void add_leaderless(double from, double to)
  {
    double w = rt_.scenario().run.warmup;
    if (to > w)
      leaderless_ += to - std::max(from, w);
  }

  // ---- sessions ----------------------------------------------------------------------------

  // Starts watching a session's deadline (sessions that own something: locks, ephemerals).
  void track(uint64_t session)
  {
    if (!tracked_.insert(session).second)
      return;
    expiries_.push({sessions_.deadline(session), session});
    if (tracker_idle_) {
      tracker_idle_ = false;
      tracker_wake_->release();
    }
  }

  void session_tracker()
  {
    while (true) {
      if (expiries_.empty()) {
        tracker_idle_ = true;
        tracker_wake_->acquire();
        continue;
      }
      auto [deadline, session] = expiries_.top();
      double now               = rt_.now();
      if (deadline > now) {
        sg4::this_actor::sleep_until(deadline);
        continue;
      }
      expiries_.pop();
      if (sessions_.expired(session))
        continue;
      double current = sessions_.deadline(session);
      if (current > now) {
        expiries_.push({current, session});
        continue;
      }
      if (blocked_waiter(session)) {
        sessions_.touch(session, now, now);  // the client library pings while it waits
        expiries_.push({sessions_.deadline(session), session});
        continue;
      }
      if (!leader_) {
        // No leader, no expiry: the next leader gives every session a fresh timeout.
        expiries_.push({now + std::max(election_timeout_, 1e-3), session});
        continue;
      }
      expire(session);
    }
  }

  bool owns_something(uint64_t session) const
  {
    if (!store_.ephemerals(session).empty())
      return true;
    for (const auto& [key, w] : waiters_)
      if (key.second == session)
        return true;
    return locks_.holds_any(session);
  }

  bool blocked_waiter(uint64_t session) const
  {
    for (const auto& [key, w] : waiters_)
      if (key.second == session && !w->granted)
        return true;
    return false;
  }

  // Closes the session in a transaction the leader starts itself: its ephemeral nodes go, its
  // locks pass on, at once (a client that comes back gets a new session).
  void expire(uint64_t session)
  {
    double now = rt_.now();
    sessions_.expire(session);
    tracked_.erase(session);
    metrics_->count(now, "sessions_expired");
    if (!owns_something(session))
      return;  // nothing to delete: no transaction (a one-request session, a finished worker)
    Decision d;
    start(*leader_, term_, kHeaderBytes, d, [this, session, now](uint64_t zxid) {
      for (const auto& [lock, next] : locks_.release_all(session)) {
        holders_.ended(lock, session, sessions_.belief(session));  // it learns only later
        metrics_->count(now, "lock_expired");
        pass_lock(lock, next, zxid);
      }
      for (uint64_t path : store_.ephemerals(session)) {
        store_.remove(path, zxid);
        pending_paths_.push_back(path);
      }
      return Decision{Outcome::success(), true};
    });
  }

  struct Log {
    std::deque<std::pair<uint64_t, sg4::SemaphorePtr>> pending;
    bool idle = true;
    sg4::SemaphorePtr wake;
  };

  ThreadPool procs_;
  CpuMeter cpu_;
  double read_cpu_, write_cpu_, fsync_, election_timeout_;
  ZnodeStore store_;
  SessionTable sessions_;
  LockTable locks_;
  HolderLog holders_;
  std::optional<size_t> leader_;
  uint64_t term_      = 0;
  uint64_t next_zxid_ = 0;
  uint64_t committed_ = 0;
  std::vector<uint64_t> applied_, logged_;
  std::vector<Log> logs_;
  std::map<uint64_t, std::shared_ptr<Pending>> pending_;
  std::vector<std::pair<uint64_t, uint64_t>> pending_grants_;  // filled by a decision, taken by start()
  std::vector<uint64_t> pending_paths_;                        // likewise: paths it changes
  std::map<std::pair<uint64_t, uint64_t>, std::shared_ptr<Waiter>> waiters_;
  std::vector<std::unordered_map<uint64_t, std::vector<sg4::Host*>>> watches_;
  std::vector<std::string> class_spaces_;
  sg4::SemaphorePtr elector_wake_, tracker_wake_;
  bool tracker_idle_ = false;
  std::priority_queue<std::pair<double, uint64_t>, std::vector<std::pair<double, uint64_t>>, std::greater<>> expiries_;
  std::set<uint64_t> tracked_;
  LogHistogram commit_latency_, watch_latency_;
  double reads_ = 0, stale_ = 0, fsyncs_ = 0, fsynced_txns_ = 0;
  double leaderless_ = 0, leaderless_since_ = 0;
  const std::string empty_;
};

}  // namespace

std::unique_ptr<Component> make_coordination(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<Coordination>(rt, spec);
}

}  // namespace archsim
