#pragma once
// The typed scenario: what a YAML file says once it has been parsed, validated, had its
// variants applied and its units resolved. The engine receives only this; it never sees YAML.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/diagnostics.h"
#include "sim/core/popularity.h"
#include "sim/scenario/graph_spec.h"
#include "sim/scenario/param_table.h"

namespace archsim {

// Actors per process are limited (vm.max_map_count): closed-loop users and executor actors
// share this budget. See RunSettings::max_in_flight.
constexpr int kMaxActors      = 30000;
constexpr int kMaxClosedUsers = 25000;

struct RunSettings {
  double duration = 60;  // simulated seconds, warm-up included
  double warmup   = 10;  // statistics ignore requests that arrive before this
  uint64_t seed   = 1;
  double window   = 1;  // time-series window
  // Bound on requests in flight at once (executor actors); beyond it arrivals wait in the
  // client's backlog, and beyond max_backlog they are dropped and counted as errors. The run
  // lowers it so that executors plus closed-loop users stay within kMaxActors.
  size_t max_in_flight = 20000;
  size_t max_backlog   = 200000;
};

struct LinkSpec {
  double bandwidth = 0;  // bytes/s
  double latency   = 0;  // seconds
};

struct DatacenterSpec {
  std::string name;
  int racks = 1;
  LinkSpec host_link;  // host <-> top-of-rack switch
  LinkSpec rack_link;  // rack switch <-> datacenter spine
  SourceLoc loc;
};

struct PlatformSpec {
  // "ideal": no network at all (transfers take no time); validation scenarios use it.
  // "cm02": textbook delays (latency as written, bandwidth shared max-min, TCP window bound).
  // "lv08": SimGrid's default, which imitates TCP slow start (latency x13.01, bandwidth x0.97).
  std::string network_model = "ideal";
  std::vector<DatacenterSpec> datacenters;
  LinkSpec wan;                  // between datacenters (one-way latency)
  std::string client_region;     // datacenter the clients reach
  LinkSpec client_link;          // clients' access link (one-way latency to the region)
  double host_speed = 1e9;       // flop/s of one core; CPU times are converted at this speed
  bool crosstraffic = false;     // SimGrid's reverse ACK flows (see docs/network-model.md)
  // Messages of at most this many bytes cost their route's latency + size / bottleneck bandwidth
  // without entering the bandwidth solver (cm02 without crosstraffic; sim/engine/small_messages.h).
  // 0: every message shares bandwidth max-min.
  double small_message = kDefaultSmallMessage;
  static constexpr double kDefaultSmallMessage = 64 * 1024;
};

struct ComponentSpec {
  std::string name;
  std::string model;
  std::string datacenter;  // empty: the first datacenter
  ParamValues params;
  SourceLoc loc;
};

struct KeySpaceSpec {
  std::string name;
  uint64_t keys = 0;
  std::shared_ptr<const Popularity> popularity;
  std::shared_ptr<const Distribution> value_size;  // bytes
  double ttl = 0;                                  // 0 = no expiry
  SourceLoc loc;
};

struct RetryPolicy {
  double timeout     = 0;  // per attempt; 0 = none
  int retries        = 0;  // extra attempts after the first
  double backoff     = 0;  // wait before retry k is backoff * 2^(k-1) ...
  double backoff_max = 0;  // ... capped here (0 = no cap)
  double jitter      = 0;  // ... times uniform(1 - jitter, 1)
};

enum class JoinKind { All, First, Quorum };

// One step of a flow. `call: X` without `steps` takes the rest of its block as its body (the
// request moves into X, and the response returns when the body is done); the parser rewrites
// it into this nested form, so the engine only sees nested calls.
// A fan-out over a social graph (cheatsheet designs 3, 4, 6: push a post to each follower's
// timeline; pull a feed from each followee). The acting user is the request's current key.
struct FanoutSpec {
  std::string graph;                  // a social graph under `graphs:`
  enum class Of { Followers, Following } of = Of::Followers;
  // Which members get the body: all of them, only active / inactive users, only celebrities or
  // only regular users (celebrity: at least the graph's celebrity_threshold followers).
  enum class Members { All, Active, Inactive, Celebrities, Regular } members = Members::All;
  // Whether the acting user qualifies: the step does nothing (and succeeds) for a user who does
  // not, e.g. `subject: regular` skips the push for a celebrity's post (the hybrid feed).
  enum class Subject { Any, Regular, Celebrity } subject = Subject::Any;
  size_t concurrency = 1;  // members handled at once (worker lanes)
  uint64_t limit     = 0;  // at most this many members, in list order (0: all)
};

struct Step {
  enum class Kind { Call, Op, Parallel, Branch, Fanout };
  Kind kind = Kind::Call;
  SourceLoc loc;

  // Call and Op
  std::string component;
  std::string op = "call";
  std::string key_space;       // Op: draw a new key from this key space (empty: keep the current key)
  double request_bytes  = -1;  // -1: the request class's default
  double response_bytes = -1;
  std::optional<RetryPolicy> retry;
  ParamValues args;                                     // Op: the operation's options (model-checked)
  std::vector<Step> body;                               // Call: what runs inside the callee
  std::map<std::string, std::vector<Step>> on_outcome;  // Op: "hit", "miss", "error", ...

  // Parallel
  std::vector<std::vector<Step>> branches;
  JoinKind join = JoinKind::All;
  int quorum    = 0;

  // Branch by probability: the remaining probability runs nothing.
  std::vector<std::pair<double, std::vector<Step>>> choices;

  // Fanout: `body` runs once per member of the acting user's list in a social graph, with the
  // member's id as the key (key_space, when given, is the space those ids live in).
  FanoutSpec fanout;
};

struct RequestClassSpec {
  std::string name;
  ParamValues params;  // checked against the client model's table (arrivals, rate, ...)
  std::string key_space;
  std::vector<Step> flow;
  SourceLoc loc;
};

// A flow a component runs on its own (a consumer processing each record, a scheduler firing a
// job), named by one of the component's flow parameters. It is measured like a request class
// of the flow's name: its latency counts from when the component says the work began (e.g.
// when the record was produced).
struct ComponentFlowSpec {
  std::string name;       // the flow's name under `flows:`
  std::string component;  // the component that runs it
  std::vector<Step> flow;
  SourceLoc loc;
};

struct TargetSpec {
  std::string text;     // as written: "redirect.latency.p99 < 50ms"
  std::string subject;  // a request class or a component
  bool subject_is_class = true;
  std::string metric;   // "latency.p99", "throughput", "errors", or a component metric
  std::string op;       // < <= > >=
  double value = 0;
  Unit unit    = Unit::Number;
  SourceLoc loc;
};

// A fault injected during the run (`faults:`). Only process crashes so far: the replica's
// process dies at `at` (losing what its model says it loses) and restarts `duration` later.
// One fault injected during the run (`faults:` or `--fault`, docs/scenario-format.md#faults).
struct FaultSpec {
  enum class Kind {
    Crash,      // the process dies: volatile state lost, calls refused, restart after `for`
    Pause,      // the process stops (a stop-the-world GC pause): its CPU does no work
    SlowCpu,    // its CPU runs `factor` times slower (a noisy neighbour, throttling)
    SlowDisk,   // its disk waits (fsync, reads) take `factor` times longer
    Fail,       // calls to the component fail at `rate` (a third party answering 5xx)
    Partition,  // no call between the two groups gets through
    Degrade,    // a link: latency x latency_factor, bandwidth / bandwidth_divisor, loss
  };
  Kind kind = Kind::Crash;
  double at       = 0;
  double duration = 0;  // 0: until the end of the run
  std::string component;
  std::vector<size_t> replicas;  // empty: every replica
  double factor = 1;             // SlowCpu, SlowDisk
  double rate   = 0;             // Fail
  std::vector<std::string> side_a, side_b;  // Partition: component names ("clients": the users)
  std::string link;                          // Degrade: a platform link's name
  double latency_factor = 1, bandwidth_divisor = 1, loss = 0;  // Degrade
  std::string text;  // "crash cache[0] at 30s for 15s", for reports
  SourceLoc loc;
  bool targets_host(const std::string& comp, size_t replica) const
  {
    return comp == component &&
           (replicas.empty() || std::find(replicas.begin(), replicas.end(), replica) != replicas.end());
  }
};

struct VariantInfo {
  std::string name;
  std::string description;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string title;
  int design = 0;
  std::string description;
  std::vector<std::string> variants_applied;
  RunSettings run;
  PlatformSpec platform;
  std::vector<ComponentSpec> components;
  std::vector<KeySpaceSpec> data;
  std::vector<RequestClassSpec> workload;
  std::vector<ComponentFlowSpec> component_flows;
  std::vector<TargetSpec> targets;
  std::vector<FaultSpec> faults;
  GraphSpecs graphs;  // populations and networks (`graphs:`, docs/graphs.md)
  std::vector<VariantInfo> variants;  // all variants the file defines

  const ComponentSpec* component(const std::string& name) const;
  const KeySpaceSpec* key_space(const std::string& name) const;
  const ComponentFlowSpec* component_flow(const std::string& name) const;
  // Request classes, then component flows: the order of the run's measured classes.
  std::vector<std::string> measured_class_names() const;
};

}  // namespace archsim
