// load_balancer: an L7 proxy (NGINX, HAProxy, Envoy) in front of one backend component.
//
// Keeps: per-request proxy CPU on the balancer's own cores (FCFS: an event loop per core), and
// the choice of the backend replica by a real policy over real state: round robin, uniform
// random, least connections (requests currently inside each backend replica), power of two
// choices (two random replicas, the less loaded wins), and consistent hashing of the request's
// key on a ring with virtual nodes (so a hot key lands on one replica). The chosen replica is
// pinned on the request; the flow's next call to the backend goes there. Active health checks
// as HAProxy does them: every `health_interval` each backend replica is probed, `fall`
// failures in a row take it out of rotation and `rise` successes bring it back, so requests
// keep reaching a crashed replica (and fail) until the checks notice. Abstracts away:
// connection pooling, TLS handshakes, the probes' own network and CPU cost, passive checks.
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
    s.abstracts = "connection pooling, TLS, the cost of health probes, passive health checks";
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
        param::quantity("health_interval", Unit::Duration, "2s",
                        "Time between two health probes of each backend replica; 0 = no health checks")
            .range(0, 3600)
            .cite("HAProxy `inter` default 2000 ms (not in reference-figures.md)"),
        param::count("fall", "3", "Failed probes in a row that take a replica out of rotation")
            .range(1, 100)
            .cite("HAProxy `fall` default 3"),
        param::count("rise", "2", "Successful probes in a row that bring it back").range(1, 100).cite(
            "HAProxy `rise` default 2"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy cores / cores, after warm-up"},
        {"queue_length", Unit::Number, "Mean requests waiting for a core"},
        {"imbalance", Unit::Number, "Busiest backend replica's share of requests over the mean share"},
        {"sent_to_down", Unit::Count, "Requests sent to a backend replica that was down (before the checks "
                                      "noticed)"},
        {"marked_down", Unit::Count, "Times a backend replica was taken out of rotation by the health checks"},
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
      , health_(backend_.replicas())
  {
    double interval = spec.params.number("health_interval");
    if (interval > 0)
      sg4::Actor::create(spec.name + "-health", host(0), [this, interval] { check_health(interval); })->daemonize();
  }

  Outcome serve(FlowContext& ctx, const Step&, size_t replica, const Body& body) override
  {
    cores_.acquire(replica);
    cpu_.work(replica, cpu_time_.sample(cpu_rng_));
    cores_.release(replica);
    size_t chosen = choose_backend(ctx);
    if (rt_.now() >= rt_.scenario().run.warmup)
      ++picks_[chosen];
    if (backend_.is_down(chosen))
      metrics_->count(rt_.now(), "sent_to_down");
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
  struct Health {
    bool in_rotation = true;
    int streak       = 0;  // probes in a row that disagree with in_rotation
  };

  void check_health(double interval)
  {
    int fall = static_cast<int>(spec_.params.integer("fall"));
    int rise = static_cast<int>(spec_.params.integer("rise"));
    while (true) {
      sg4::this_actor::sleep_for(interval);
      for (size_t r = 0; r < health_.size(); ++r) {
        Health& h = health_[r];
        bool up   = !backend_.is_down(r);
        h.streak  = up == h.in_rotation ? 0 : h.streak + 1;
        if (h.streak >= (h.in_rotation ? fall : rise)) {
          h.in_rotation = !h.in_rotation;
          h.streak      = 0;
          if (!h.in_rotation)
            metrics_->count(rt_.now(), "marked_down");
        }
      }
    }
  }

  bool usable(size_t r) const { return health_[r].in_rotation; }

  // The next replica in round-robin order that is in rotation (any, when none is).
  size_t next_in_rotation()
  {
    size_t n = backend_.replicas();
    for (size_t k = 0; k < n; ++k) {
      size_t r = (next_ + k) % n;
      if (usable(r)) {
        next_ = (r + 1) % n;
        return r;
      }
    }
    size_t r = next_;
    next_    = (next_ + 1) % n;
    return r;
  }

  // The replicas in rotation (all of them when none is: better a failing replica than none).
  std::vector<size_t> in_rotation() const
  {
    std::vector<size_t> up;
    for (size_t r = 0; r < health_.size(); ++r)
      if (usable(r))
        up.push_back(r);
    if (up.empty())
      for (size_t r = 0; r < health_.size(); ++r)
        up.push_back(r);
    return up;
  }

  size_t choose_backend(const FlowContext& ctx)
  {
    size_t n = backend_.replicas();
    if (policy_ == "round_robin")
      return next_in_rotation();
    if (policy_ == "random") {
      std::vector<size_t> up = in_rotation();
      return up[policy_rng_.below(up.size())];
    }
    if (policy_ == "least_connections") {
      // Ties go to the replica after the last choice, so an idle cluster is still spread.
      size_t best = next_in_rotation();
      for (size_t k = 1; k < n; ++k) {
        size_t r = (best + k) % n;
        if (usable(r) && backend_.active(r) < backend_.active(best))
          best = r;
      }
      next_ = (best + 1) % n;
      return best;
    }
    if (policy_ == "power_of_two") {
      std::vector<size_t> up = in_rotation();
      size_t m = up.size();
      size_t i = policy_rng_.below(m);
      size_t a = up[i];
      size_t b = m > 1 ? up[(i + 1 + policy_rng_.below(m - 1)) % m] : a;
      return backend_.active(b) < backend_.active(a) ? b : a;
    }
    // consistent_hash: requests without a key fall back to round robin.
    if (!ctx.has_key)
      return next_in_rotation();
    return ring_.node_for(ctx.key, [this](size_t r) { return usable(r); });
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
  std::vector<Health> health_;  // per backend replica, as the health checks see it
  size_t next_ = 0;
};
}  // namespace

std::unique_ptr<Component> make_load_balancer(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<LoadBalancer>(rt, spec);
}

}  // namespace archsim
