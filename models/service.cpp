// service: a stateless application tier (an API server, a web app, a worker).
//
// Keeps: replicas on their own hosts, a fixed thread pool per replica with a FIFO wait queue
// (optionally bounded, rejecting beyond it), CPU work per request drawn from a distribution and
// run on the host's cores (threads beyond the core count share them), and threads held while
// downstream calls are in flight, as blocking servers do, so a slow dependency exhausts the
// pool. Abstracts away: garbage collection, connection set-up, memory, per-endpoint code paths
// (use one component per distinct endpoint cost, or a distribution that mixes them).
#include "models/service.h"

#include "models/pooled_server.h"

namespace archsim {

const ModelSpec& service_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "service";
    s.summary   = "Stateless application tier: replicas with a thread pool and CPU work per request";
    s.keeps     = "thread pool per replica with FIFO queue and optional bound; CPU time per request on the host's "
                  "cores; threads held during downstream calls (blocking server)";
    s.abstracts = "GC pauses, connection set-up, memory";
    s.params    = {
        param::count("replicas", "1", "Instances, each on its own host").range(1, 10000),
        param::count("threads", "64", "Worker threads per replica (requests served at once)").range(1, 100000),
        param::count("cores", "8", "CPU cores per replica host").range(1, 1024),
        param::distribution("cpu", Unit::Duration, "{dist: lognormal, mean: 1.6ms, p99: 10ms}",
                            "CPU time per request")
            .cite("reference-figures.md s15: Tail at Scale leaf, median 1 ms, p99 10 ms (lognormal mean 1.6 ms)"),
        param::count("queue_limit", "0", "Requests allowed to wait for a thread per replica; 0 = unbounded")
            .range(0, 1e7),
        param::flag("hold_thread", true,
                    "Keep the thread during downstream calls (blocking I/O); false = release after the CPU work "
                    "(event loop)"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy cores / cores, after warm-up"},
        {"thread_utilisation", Unit::Fraction, "Threads in use / threads"},
        {"queue_length", Unit::Number, "Mean requests waiting for a thread (all replicas)"},
        {"rejections", Unit::Count, "Requests turned away because the queue was full"},
    };
    s.operations = {{"call", "Enter the service: queue for a thread, do the CPU work, run the nested steps", {}, {}}};
    return s;
  }();
  return spec;
}

Placement service_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("replicas")), static_cast<int>(p.integer("cores"))};
}

std::unique_ptr<Component> make_service(Runtime& rt, const ComponentSpec& spec)
{
  const ParamValues& p = spec.params;
  return std::make_unique<PooledServer>(
      rt, spec,
      PooledServerConfig{static_cast<size_t>(p.integer("threads")), static_cast<size_t>(p.integer("queue_limit")),
                         &p.dist("cpu"), p.flag("hold_thread"), "cpu"});
}

}  // namespace archsim
