#include "sim/engine/runtime.h"

#include <xbt/config.hpp>

#include <algorithm>

namespace archsim {

Runtime::Runtime(const Scenario& scenario, const std::map<std::string, Placement>& placements)
    : sc_(scenario), engine_(sg4::Engine::get_instance()), fault_rng_(stream("faults", "fail"))
{
  configure_network_model(sc_.platform);
  platform_ = build_platform(sc_, placements);
  if (sc_.platform.network_model == "cm02" && !sc_.platform.crosstraffic && sc_.platform.small_message > 0)
    small_ = std::make_unique<SmallMessagePath>(sc_.platform.small_message,
                                                simgrid::config::get_value<double>("network/TCP-gamma"));
  host_owner_[platform_.client] = "clients";
  for (const auto& [name, hosts] : platform_.replicas)
    for (const auto* h : hosts)
      host_owner_[h] = name;
  size_t users = 0;
  for (const auto& rc : sc_.workload)
    if (rc.params.text("arrivals") == "closed")
      users += static_cast<size_t>(rc.params.integer("users"));
  size_t executors = std::min(sc_.run.max_in_flight, static_cast<size_t>(kMaxActors) - users);
  pool_ = std::make_unique<ExecutorPool>(platform_.driver, executors, sc_.run.max_backlog);
  metrics_.clock.warmup = sc_.run.warmup;
  metrics_.clock.window = sc_.run.window;
  // Social graphs are built before the run (seconds for 10^6 users, docs/graphs.md), so that
  // the first fan-out does not stall the progress estimate.
  for (const auto& g : sc_.graphs.social) {
    if (g.file.empty()) {
      social_[g.name] = std::make_unique<SocialGraph>(SocialGraph::generate(g.config));
    } else {
      Diagnostics diags;
      auto loaded = SocialGraph::load(g.file, g.config, diags, g.file_users);
      if (!loaded)
        throw std::runtime_error("graph '" + g.name + "': " + diags.str());
      social_[g.name] = std::make_unique<SocialGraph>(std::move(*loaded));
    }
  }
  // Request classes first, then the flows components run: one measured class each.
  for (const auto& name : sc_.measured_class_names()) {
    metrics_.add_class(name);
    flow_rngs_.push_back(stream("flow:" + name, "branch"));
  }
}

FlowContext Runtime::flow_context(const std::string& flow, double since, std::optional<uint64_t> key,
                                  const KeySpaceSpec* key_space)
{
  const std::vector<std::string> names = sc_.measured_class_names();
  size_t index = static_cast<size_t>(std::find(names.begin(), names.end(), flow) - names.begin());
  auto req         = std::make_shared<Request>();
  req->class_index = index;
  req->id          = request_id(index, next_flow_request_++);
  req->arrival     = since;
  req->key         = key.value_or(0);
  req->has_key     = key.has_value();
  FlowContext ctx;
  ctx.req       = req;
  ctx.key       = req->key;
  ctx.has_key   = req->has_key;
  ctx.key_space = key_space;
  return ctx;
}

Outcome Runtime::run_flow(const std::string& flow, FlowContext& ctx, sg4::Host* at)
{
  ClassMetrics& m = *metrics_.classes.at(ctx.req->class_index);
  m.record_arrival(ctx.req->arrival);
  Outcome o = walk(ctx, sc_.component_flow(flow)->flow, at);
  m.record_completion(ctx.req->arrival, now(), o.ok(), o.status == Outcome::Status::Timeout, o.tag);
  return o;
}

Runtime::~Runtime() = default;

Rng Runtime::stream(const std::string& owner, const std::string& purpose) const
{
  return make_stream(sc_.run.seed, owner, purpose);
}

void Runtime::transfer(sg4::Host* from, sg4::Host* to, double bytes)
{
  if (platform_.ideal || from == to)
    return;
  if (small_ && small_->takes(bytes))
    if (auto delay = small_->delay(from, to, bytes)) {
      sg4::this_actor::sleep_for(*delay);
      return;
    }
  sg4::Comm::sendto(from, to, static_cast<uint64_t>(bytes));
}

void Runtime::compute(sg4::Host* host, double seconds) const
{
  if (seconds <= 0)
    return;
  // Work is defined at the host's nominal speed: a paused or slowed host (a fault switches its
  // pstate) takes longer to do it.
  sg4::Exec::init()->set_flops_amount(seconds * host->get_pstate_speed(0))->set_host(host)->wait();
}

void Runtime::end_partition(const FaultSpec* f)
{
  partitions_.erase(std::remove(partitions_.begin(), partitions_.end(), f), partitions_.end());
}

const FaultSpec* Runtime::partition_between(const sg4::Host* a, const sg4::Host* b) const
{
  if (partitions_.empty())
    return nullptr;
  auto owner = [this](const sg4::Host* h) {
    auto it = host_owner_.find(h);
    return it == host_owner_.end() ? std::string() : it->second;
  };
  const std::string x = owner(a), y = owner(b);
  auto in = [](const std::vector<std::string>& side, const std::string& n) {
    return std::find(side.begin(), side.end(), n) != side.end();
  };
  for (const FaultSpec* f : partitions_)
    if ((in(f->side_a, x) && in(f->side_b, y)) || (in(f->side_b, x) && in(f->side_a, y)))
      return f;
  return nullptr;
}

bool Runtime::wait_through_partition(const sg4::Host* a, const sg4::Host* b)
{
  // Linux gives up a connection after tcp_syn_retries = 6 retransmissions, 127 s (1+2+...+64).
  constexpr double kConnectGiveUp = 127;
  const double give_up = now() + kConnectGiveUp;
  while (const FaultSpec* f = partition_between(a, b)) {
    double heals = f->duration > 0 ? f->at + f->duration : sc_.run.duration;
    if (heals > give_up) {
      sg4::this_actor::sleep_until(std::min(give_up, sc_.run.duration));
      return partition_between(a, b) == nullptr;
    }
    sg4::this_actor::sleep_until(heals);
  }
  return true;
}

void Runtime::add_component(std::unique_ptr<Component> c)
{
  by_name_[c->name()] = c.get();
  components_.push_back(std::move(c));
}

void Runtime::run()
{
  // SimGrid ends a run when the last non-daemon actor exits, which for an open-loop workload
  // is the last arrival: without this clock the run would stop early, and lag, queues and
  // in-flight work after that instant would never be simulated. Every other actor is a daemon.
  const double end = sc_.run.duration;
  sg4::Actor::create("run-clock", platform_.driver, [end] { sg4::this_actor::sleep_until(end); });
  engine_->run_until(end);
  for (auto& c : components_)
    c->finish();
  metrics_.finish(sc_.run.duration);
}

}  // namespace archsim
