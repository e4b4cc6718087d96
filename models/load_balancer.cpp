// load_balancer: an L7 proxy (NGINX, HAProxy, Envoy) in front of one backend component.
//
// Keeps: per-request proxy CPU on the balancer's own cores (FCFS: an event loop per core), and
// the choice of the backend replica by a real policy over real state: round robin, uniform
// random, least connections (requests currently inside each backend replica), power of two
// choices (two random replicas, the less loaded wins), and consistent hashing of the request's
// key on a ring with virtual nodes (so a hot key lands on one replica). The chosen replica is
// pinned on the request; the flow's next call to the backend goes there. Abstracts away:
// connection pooling, TLS handshakes, health checks (the fault issue adds them).
#include "models/load_balancer.h"

#include <algorithm>

#include "sim/core/hash_ring.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

const ModelSpec& load_balancer_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "load_balancer";
    s.summary   = "L7 proxy choosing a replica of its backend by a policy";
    s.keeps     = "proxy CPU per request on its cores; round robin, random, least connections, power of two "
                  "choices, consistent hashing on the request key";
    s.abstracts = "connection pooling, TLS, health checks";
    s.params    = {
        param::component("backend", "The component whose replicas this balancer chooses between"),
        param::choice("policy",
                      {"round_robin", "random", "least_connections", "power_of_two", "consistent_hash"},
                      "round_robin", "How the backend replica is chosen"),
        param::count("replicas", "1", "Balancer instances, each on its own host").range(1, 1000),
        param::count("cores", "4", "Cores per balancer host (one event loop each)").range(1, 1024),
        param::distribution("cpu", Unit::Duration, "13.5us", "Proxy CPU time per request")
            .cite("reference-figures.md s14: NGINX per-request CPU ~13.5 us (1 KB, keepalive), derived"),
        param::count("vnodes", "100", "Virtual nodes per backend replica on the consistent-hash ring")
            .range(1, 10000),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy cores / cores, after warm-up"},
        {"queue_length", Unit::Number, "Mean requests waiting for a core"},
        {"imbalance", Unit::Number, "Busiest backend replica's share of requests over the mean share"},
    };
    s.operations = {{"call", "Pass the proxy, which pins the backend replica for the next call to the backend", {}, {}}};
    return s;
  }();
  return spec;
}

Placement load_balancer_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("replicas")), static_cast<int>(p.integer("cores"))};
}

namespace {
class LoadBalancer : public Component {
public:
  LoadBalancer(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , backend_(rt.component(spec.params.text("backend")))
      , policy_(spec.params.text("policy"))
      , cores_(*metrics_, replicas(), static_cast<size_t>(spec.params.integer("cores")), 0)
      , cpu_(*metrics_, hosts_)
      , cpu_time_(spec.params.dist("cpu"))
      , cpu_rng_(rt.stream(spec.name, "cpu"))
      , policy_rng_(rt.stream(spec.name, "policy"))
      , ring_(backend_.replicas(), static_cast<size_t>(spec.params.integer("vnodes")))
      , picks_(backend_.replicas(), 0)
  {
  }

  Outcome serve(FlowContext& ctx, const Step&, size_t replica, const Body& body) override
  {
    cores_.acquire(replica);
    cpu_.work(replica, cpu_time_.sample(cpu_rng_));
    cores_.release(replica);
    size_t chosen = choose_backend(ctx);
    if (rt_.now() >= rt_.scenario().run.warmup)
      ++picks_[chosen];
    ctx.pins.emplace_back(&backend_, chosen);
    return body ? body() : Outcome::success();
  }

  void finish() override
  {
    uint64_t total = 0, most = 0;
    for (auto p : picks_) {
      total += p;
      most = std::max(most, p);
    }
    if (total > 0)
      metrics_->set_value("imbalance", static_cast<double>(most) * static_cast<double>(picks_.size()) /
                                           static_cast<double>(total));
  }

private:
  size_t choose_backend(const FlowContext& ctx)
  {
    size_t n = backend_.replicas();
    if (policy_ == "round_robin") {
      size_t r = next_;
      next_    = (next_ + 1) % n;
      return r;
    }
    if (policy_ == "random")
      return policy_rng_.below(n);
    if (policy_ == "least_connections") {
      // Ties go to the replica after the last choice, so an idle cluster is still spread.
      size_t best = next_ % n;
      for (size_t k = 1; k < n; ++k) {
        size_t r = (next_ + k) % n;
        if (backend_.active(r) < backend_.active(best))
          best = r;
      }
      next_ = (best + 1) % n;
      return best;
    }
    if (policy_ == "power_of_two") {
      size_t a = policy_rng_.below(n);
      size_t b = n > 1 ? (a + 1 + policy_rng_.below(n - 1)) % n : a;
      return backend_.active(b) < backend_.active(a) ? b : a;
    }
    // consistent_hash: requests without a key fall back to round robin.
    if (!ctx.has_key) {
      size_t r = next_;
      next_    = (next_ + 1) % n;
      return r;
    }
    return ring_.node_for(ctx.key);
  }

  Component& backend_;
  std::string policy_;
  ThreadPool cores_;
  CpuMeter cpu_;
  const Distribution& cpu_time_;
  Rng cpu_rng_;
  Rng policy_rng_;
  HashRing ring_;
  std::vector<uint64_t> picks_;
  size_t next_ = 0;
};
}  // namespace

std::unique_ptr<Component> make_load_balancer(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<LoadBalancer>(rt, spec);
}

}  // namespace archsim
