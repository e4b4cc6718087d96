#pragma once
// One simulation run: the platform, the components, the executor pool, the metrics, and the
// flow walker that moves requests through their steps. A request walks its flow as sequential
// code in one executor actor (transfer, queue, compute, nested steps, transfer back); parallel
// branches and attempts under a timeout borrow further executors from the pool.
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "sim/core/rng.h"
#include "sim/engine/component.h"
#include "sim/engine/executor_pool.h"
#include "sim/engine/metrics.h"
#include "sim/engine/platform_builder.h"
#include "sim/engine/small_messages.h"
#include "sim/scenario/scenario.h"

namespace archsim {
namespace sg4 = simgrid::s4u;

class Runtime {
public:
  // Builds the platform (one host per component replica, as `placements` says) and the pool.
  Runtime(const Scenario& scenario, const std::map<std::string, Placement>& placements);
  ~Runtime();
  Runtime(const Runtime&)            = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Scenario& scenario() const { return sc_; }
  Platform& platform() { return platform_; }
  MetricsRegistry& metrics() { return metrics_; }
  ExecutorPool& pool() { return *pool_; }
  Component& component(const std::string& name) { return *by_name_.at(name); }
  const std::vector<std::unique_ptr<Component>>& components() const { return components_; }

  static double now() { return sg4::Engine::get_clock(); }
  // An RNG stream that depends only on the master seed and (owner, purpose): a variant that
  // changes one component leaves every other component's draws as they were.
  Rng stream(const std::string& owner, const std::string& purpose) const;

  // Moves `bytes` from one host to another over the simulated network (no-op on the ideal
  // network or within one host).
  // Small messages take SmallMessagePath's delay instead of a SimGrid flow.
  void transfer(sg4::Host* from, sg4::Host* to, double bytes);
  // What the small messages put on the network (nullptr when every message is a flow).
  const SmallMessagePath* small_messages() const { return small_.get(); }
  // Runs `seconds` of one core's work on `host`; concurrent computations beyond the host's
  // core count share it (processor sharing), as threads on real cores do.
  void compute(sg4::Host* host, double seconds) const;

  // Walks a list of steps from `at`; stops at the first failure and returns it.
  Outcome walk(FlowContext& ctx, const std::vector<Step>& steps, sg4::Host* at);

  // Component flows (a consumer's per-record flow, a scheduler's job): a context for one run of
  // the flow, as a request of the flow's measured class that began at `since` (e.g. when the
  // record was produced), acting on `key` of the flow's component's choosing.
  FlowContext flow_context(const std::string& flow, double since, std::optional<uint64_t> key = std::nullopt,
                           const KeySpaceSpec* key_space = nullptr);
  // Runs the flow in the calling actor from `at` and records its completion (latency from
  // `since`, outcome) under the flow's name.
  Outcome run_flow(const std::string& flow, FlowContext& ctx, sg4::Host* at);

  // The social graph named `name` under `graphs:` (built when the runtime is made).
  const SocialGraph& social_graph(const std::string& name) const { return *social_.at(name); }

  // Faults acting on calls (fault_injector.cpp switches them on and off): a share of the calls
  // to a component fail; calls between the two sides of a partition do not get through.
  void set_fail_rate(const Component* c, double rate) { fail_rate_[c] = rate; }
  void begin_partition(const FaultSpec* f) { partitions_.push_back(f); }
  void end_partition(const FaultSpec* f);

  // Components are made by the model registry (models/registry.h) and handed over here.
  void add_component(std::unique_ptr<Component> c);
  // Runs the simulation to the end of the scenario's duration and finalises the metrics.
  void run();

private:
  Outcome run_step(FlowContext& ctx, const Step& step, sg4::Host* at);
  Outcome with_retries(FlowContext& ctx, const Step& step, sg4::Host* at);
  Outcome attempt(FlowContext& ctx, const Step& step, sg4::Host* at);
  Outcome attempt_with_timeout(const FlowContext& ctx, const Step& step, sg4::Host* at, double timeout);
  Outcome parallel(const FlowContext& ctx, const Step& step, sg4::Host* at);
  Outcome branch(FlowContext& ctx, const Step& step, sg4::Host* at);
  Outcome fanout(FlowContext& ctx, const Step& step, sg4::Host* at);
  size_t pick_replica(FlowContext& ctx, Component& c);
  // The partition that separates the two hosts, if any (hosts belong to components, or are the
  // clients' host).
  const FaultSpec* partition_between(const sg4::Host* a, const sg4::Host* b) const;
  // Waits, as TCP retransmits do, until no partition separates the hosts or the kernel gives up
  // connecting; false if it gave up.
  bool wait_through_partition(const sg4::Host* a, const sg4::Host* b);

  const Scenario& sc_;
  sg4::Engine* engine_;
  Platform platform_;
  MetricsRegistry metrics_;
  std::unique_ptr<ExecutorPool> pool_;
  std::unique_ptr<SmallMessagePath> small_;
  std::vector<std::unique_ptr<Component>> components_;
  std::map<std::string, Component*> by_name_;
  std::vector<Rng> flow_rngs_;  // per measured class: branches and retry jitter
  uint64_t next_flow_request_ = 0;
  std::map<std::string, std::unique_ptr<SocialGraph>> social_;
  std::map<const Component*, double> fail_rate_;
  std::vector<const FaultSpec*> partitions_;
  std::map<const sg4::Host*, std::string> host_owner_;  // host -> component name, or "clients"
  Rng fault_rng_;
};

}  // namespace archsim
