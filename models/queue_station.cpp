// queue_station: the textbook queue (c identical servers, FCFS, one service-time
// distribution), for validating the engine against closed-form results (M/M/1, M/M/c, M/D/1).
//
// Keeps: exactly c requests in service at once, each on its own core at full speed, and a FIFO
// queue in front (optionally bounded: M/M/c/K). Abstracts away everything else: it is the
// reference point, not a model of a real system.
#include "models/queue_station.h"

#include "models/pooled_server.h"

namespace archsim {

const ModelSpec& queue_station_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "queue_station";
    s.summary   = "Textbook FCFS queue with c servers, for validation against queueing theory";
    s.keeps     = "c servers, FIFO queue, optional bound on the queue (M/M/c/K)";
    s.abstracts = "everything that is not a queue";
    s.params    = {
        param::count("servers", "1", "Servers (c); each serves one request at a time").range(1, 1024),
        param::distribution("service", Unit::Duration, "{dist: exponential, mean: 1ms}", "Service time"),
        param::count("queue_limit", "0", "Requests allowed to wait; 0 = unbounded").range(0, 1e7),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy servers / servers, after warm-up"},
        {"queue_length", Unit::Number, "Mean requests waiting (Lq)"},
        {"rejections", Unit::Count, "Requests turned away because the queue was full"},
    };
    s.operations = {{"call", "Queue for a server and be served", {}, {}}};
    return s;
  }();
  return spec;
}

Placement queue_station_placement(const ParamValues& p) { return {1, static_cast<int>(p.integer("servers"))}; }

std::unique_ptr<Component> make_queue_station(Runtime& rt, const ComponentSpec& spec)
{
  const ParamValues& p = spec.params;
  // Servers never hold a thread past their own work: a station has nothing nested.
  return std::make_unique<PooledServer>(
      rt, spec,
      PooledServerConfig{static_cast<size_t>(p.integer("servers")), static_cast<size_t>(p.integer("queue_limit")),
                         &p.dist("service"), false, "service"});
}

}  // namespace archsim
