// client: the users of a request class, as an open or a closed loop.
//
// Keeps: open-loop arrivals that do not slow down when the system does (poisson, constant,
// bursty on/off, step, spike, diurnal), with latency counted from each request's scheduled
// arrival so that a stalled system cannot hide its slow requests; closed loops of N users who
// think, send one request and wait for its answer. Request keys are drawn from the class's key
// space (its popularity law). Abstracts away: client devices, retries by the user (flows model
// retries), connection set-up.
#include "models/client.h"

#include <fmt/format.h>

#include "models/arrivals.h"
#include "sim/engine/runtime.h"
#include "sim/scenario/readers.h"

namespace archsim {

namespace {
void check_client(const ParamValues& p, const SourceLoc& loc, const std::string& path, Diagnostics& diags)
{
  const std::string& kind = p.text("arrivals");
  auto need = [&](const char* key, const char* what) {
    if (!p.given(key))
      diags.error(loc, path, fmt::format("arrivals: {} needs '{}:' ({})", kind, key, what));
  };
  if (kind == "closed") {
    need("users", "how many users loop think -> request -> answer");
    if (p.given("rate"))
      diags.error(loc, path + ".rate", "a closed loop has no rate: its throughput follows from users and think time");
    return;
  }
  need("rate", "requests per second, e.g. 1000/s");
  if (kind == "bursty") {
    need("on", "mean length of a burst");
    need("off", "mean pause between bursts");
  } else if (kind == "step") {
    need("at", "when the rate changes");
    need("to_rate", "the rate after the step");
  } else if (kind == "spike") {
    need("at", "when the spike starts");
    need("for", "how long it lasts");
    need("to_rate", "the rate during the spike");
  } else if (kind == "diurnal") {
    need("amplitude", "relative swing around the mean rate, e.g. 50%");
  }
}
}  // namespace

const ModelSpec& client_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "client";
    s.placed    = false;
    s.summary   = "Users of one request class (the entries under workload:), open or closed loop";
    s.keeps     = "open-loop arrivals independent of the system; closed loops of users with think time; keys "
                  "drawn from a key space's popularity law";
    s.abstracts = "devices, user-level retries, connection set-up";
    s.params    = {
        param::choice("arrivals", {"poisson", "constant", "bursty", "step", "spike", "diurnal", "closed"},
                      "poisson", "Arrival process"),
        param::quantity("rate", Unit::Rate, "", "Mean arrival rate (open loop); the rate during bursts for bursty")
            .range(1e-9, 1e9),
        param::quantity("on", Unit::Duration, "", "bursty: mean burst length").range(1e-6, 1e7),
        param::quantity("off", Unit::Duration, "", "bursty: mean pause length").range(1e-6, 1e7),
        param::quantity("at", Unit::Duration, "", "step, spike: when the rate changes").range(0, 1e7),
        param::quantity("for", Unit::Duration, "", "spike: how long the spike lasts").range(1e-6, 1e7),
        param::quantity("to_rate", Unit::Rate, "", "step, spike: the rate after the step / during the spike")
            .range(1e-9, 1e9),
        param::quantity("amplitude", Unit::Fraction, "", "diurnal: swing around the mean rate (0..1)"),
        param::quantity("period", Unit::Duration, "24h", "diurnal: length of one cycle").range(1e-3, 1e8),
        param::count("users", "", "closed: number of users (all closed classes together: at most 25K)").range(1, 25000),
        param::distribution("think", Unit::Duration, "{dist: exponential, mean: 1s}", "closed: think time"),
        param::key_space("key", "Key space (under data:) from which each request draws its key"),
        param::quantity("request_size", Unit::Size, "1KB", "Bytes of each request on the wire")
            .cite("reference-figures.md s2a: memcache response sizes median 135 B, mean 954 B"),
        param::quantity("response_size", Unit::Size, "1KB", "Bytes of each response on the wire"),
    };
    s.check = check_client;
    return s;
  }();
  return spec;
}

namespace {

struct ClassDriver {
  Runtime& rt;
  const RequestClassSpec& rc;
  size_t index;
  ClassMetrics& metrics;
  const KeySpaceSpec* keys;
  Rng key_rng;
  uint64_t next_id = 0;

  std::shared_ptr<Request> make_request(double arrival)
  {
    auto req            = std::make_shared<Request>();
    req->id             = request_id(index, next_id++);
    req->class_index    = index;
    req->arrival        = arrival;
    req->request_bytes  = rc.params.number("request_size");
    req->response_bytes = rc.params.number("response_size");
    if (keys) {
      req->key     = keys->popularity->sample(key_rng);
      req->has_key = true;
    }
    return req;
  }

  void run_request(const std::shared_ptr<Request>& req) const
  {
    FlowContext ctx;
    ctx.req       = req;
    ctx.key       = req->key;
    ctx.has_key   = req->has_key;
    ctx.key_space = keys;
    Outcome o = rt.walk(ctx, rc.flow, rt.platform().client);
    metrics.record_completion(req->arrival, Runtime::now(), o.ok(), o.status == Outcome::Status::Timeout, o.tag);
  }
};

void open_loop(std::shared_ptr<ClassDriver> d)
{
  auto process  = make_arrival_process(d->rc.params);
  Rng rng       = d->rt.stream("client:" + d->rc.name, "arrivals");
  double end    = d->rt.scenario().run.duration;
  double t      = process->next(0, rng);
  while (t < end) {
    sg4::this_actor::sleep_until(t);
    auto req = d->make_request(t);
    d->metrics.record_arrival(t);
    if (!d->rt.pool().submit([d, req] { d->run_request(req); }))
      d->metrics.record_drop(t);
    t = process->next(t, rng);
  }
}

void closed_user(std::shared_ptr<ClassDriver> d, size_t user)
{
  const Distribution& think = d->rc.params.dist("think");
  Rng rng                   = d->rt.stream(fmt::format("client:{}:user{}", d->rc.name, user), "think");
  double end                = d->rt.scenario().run.duration;
  while (true) {
    sg4::this_actor::sleep_for(think.sample(rng));
    double t = Runtime::now();
    if (t >= end)
      return;
    auto req = d->make_request(t);
    d->metrics.record_arrival(t);
    d->run_request(req);
  }
}

}  // namespace

void start_client(Runtime& rt, const RequestClassSpec& rc, size_t class_index)
{
  const KeySpaceSpec* keys = rc.key_space.empty() ? nullptr : rt.scenario().key_space(rc.key_space);
  auto d = std::make_shared<ClassDriver>(ClassDriver{rt, rc, class_index, *rt.metrics().classes[class_index], keys,
                                                     rt.stream("client:" + rc.name, "keys")});
  sg4::Host* host = rt.platform().driver;
  if (rc.params.text("arrivals") == "closed") {
    auto users = static_cast<size_t>(rc.params.integer("users"));
    for (size_t u = 0; u < users; ++u)
      sg4::Actor::init(fmt::format("{}-user{}", rc.name, u), host)
          ->set_stacksize(ExecutorPool::kStackBytes)
          ->start([d, u] { closed_user(d, u); });
  } else {
    sg4::Actor::create("client-" + rc.name, host, [d] { open_loop(d); });
  }
}

}  // namespace archsim
