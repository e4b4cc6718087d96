#include "models/external_endpoint.h"

#include "sim/core/hash_ring.h"
#include "sim/engine/runtime.h"

namespace archsim {

std::vector<ParamSpec> external_params(const ExternalDefaults& d)
{
  return {
      param::distribution("latency", Unit::Duration, d.latency,
                          "Time the provider takes to answer once the request reached it (its own processing and "
                          "queues; the network to it is the platform's)")
          .cite(d.latency_source),
      param::quantity("rate_limit", Unit::Rate, d.rate,
                      "Requests per second the provider admits from us (a token bucket); 0 = no limit; beyond it "
                      "the answer is 429 ('throttled')")
          .range(0, 1e12)
          .cite(d.rate_source),
      param::count("burst", d.burst, "Size of that bucket: requests admitted at once after a quiet period")
          .range(1, 1e12)
          .cite(d.burst_source),
      param::quantity("per_key_rate", Unit::Rate, d.key_rate,
                      "Requests per second admitted per key (the request's key: a device, an account, a domain); "
                      "0 = no per-key limit")
          .range(0, 1e12)
          .cite(d.key_rate_source),
      param::count("per_key_burst", d.key_burst, "Size of each key's bucket").range(1, 1e12).cite(d.key_burst_source),
      param::quantity("failure_rate", Unit::Fraction, d.failure,
                      "Share of admitted requests that fail ('failed', after the latency): 5xx, invalid tokens")
          .range(0, 1)
          .cite(d.failure_source),
      param::count("max_in_flight", "0",
                   "Requests from us the provider works on at once (HTTP/2 streams x connections); more wait in "
                   "line; 0 = no cap")
          .range(0, 1e9)
          .cite("reference-figures.md s13: HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS recommended >= 100 (RFC 9113) "
                "per connection; APNs varies the stream count with load"),
  };
}

std::vector<MetricSpec> external_metrics()
{
  return {
      {"requests", Unit::Count, "Requests that reached the provider"},
      {"throttled", Unit::Count, "Requests refused by a rate limit (429)"},
      {"throttled_per_key", Unit::Count, "...of which by the per-key limit"},
      {"failed", Unit::Count, "Admitted requests that failed"},
      {"thread_utilisation", Unit::Fraction, "Streams in use / max_in_flight (when capped)"},
      {"queue_length", Unit::Number, "Mean requests waiting for a stream (when capped)"},
  };
}

ExternalEndpoint::ExternalEndpoint(Runtime& rt, const ComponentSpec& spec, ExternalConfig config)
    : Component(rt, spec)
    , config_(std::move(config))
    , latency_(spec.params.dist("latency"))
    , bucket_(spec.params.number("rate_limit"), spec.params.number("burst"))
    , limited_(spec.params.number("rate_limit") > 0)
    , per_key_(spec.params.number("per_key_rate"), spec.params.number("per_key_burst"))
    , failure_rate_(spec.params.number("failure_rate"))
    , latency_rng_(rt.stream(spec.name, "latency"))
    , failure_rng_(rt.stream(spec.name, "failures"))
    , delivery_rng_(rt.stream(spec.name, "delivery"))
{
  const ParamValues& p = spec.params;
  if (p.integer("max_in_flight") > 0)
    streams_ = std::make_unique<ThreadPool>(*metrics_, replicas(), static_cast<size_t>(p.integer("max_in_flight")), 0);
  if (config_.push)
    delivery_ = &p.dist("delivery_latency");
  if (config_.robots) {
    robots_       = std::make_unique<RobotsRules>(p.number("robots_ttl"), p.number("disallowed"));
    politeness_   = std::make_unique<Politeness>(p.number("crawl_delay"));
    refuse_early_ = p.text("politeness") == "refuse";
    robots_bytes_ = p.number("robots_size");
  }
}

uint64_t ExternalEndpoint::key_of(const FlowContext& ctx) const
{
  if (!ctx.has_key)
    return 0;
  return ctx.key_space ? item_id(ctx.key_space->name, ctx.key) : ctx.key;
}

Outcome ExternalEndpoint::serve(FlowContext& ctx, const Step& step, size_t replica, const Body& body)
{
  metrics_->count(rt_.now(), "requests");
  Outcome o = step.op == "fetch" ? fetch(ctx, replica) : answer(ctx, replica, config_.success_tag);
  if (o.ok() && body)
    return body();
  return o;
}

Outcome ExternalEndpoint::answer(FlowContext& ctx, size_t replica, const std::string& tag)
{
  double now = rt_.now();
  if (limited_ && !bucket_.take(now)) {
    metrics_->count(now, "throttled");
    Outcome o        = Outcome::error("throttled");
    o.response_bytes = 200;
    return o;
  }
  if (!per_key_.take(key_of(ctx), now)) {
    metrics_->count(now, "throttled");
    metrics_->count(now, "throttled_per_key");
    Outcome o        = Outcome::error("throttled");
    o.response_bytes = 200;
    return o;
  }
  // Draws in a fixed order per request, so variants keep their common random numbers.
  bool fails     = failure_rng_.uniform01() < failure_rate_;
  double latency = latency_.sample(latency_rng_);
  if (streams_)
    streams_->acquire(replica);
  sg4::this_actor::sleep_for(latency);
  if (streams_)
    streams_->release(replica);
  now = rt_.now();
  if (fails) {
    metrics_->count(now, "failed");
    return Outcome::error("failed");
  }
  if (config_.push) {
    // Accepted: the provider hands it to the device later, on its own network.
    double to_device = delivery_->sample(delivery_rng_);
    metrics_->count(now, "delivered");
    if (ctx.req && ctx.req->arrival >= rt_.scenario().run.warmup)
      delivery_hist_.add(now + to_device - ctx.req->arrival);
  }
  return Outcome::success(tag);
}

Outcome ExternalEndpoint::fetch(FlowContext& ctx, size_t replica)
{
  if (!config_.robots)
    return answer(ctx, replica, "fetched");
  uint64_t domain = key_of(ctx);
  double now      = rt_.now();
  sg4::Host* from = ctx.caller ? ctx.caller : rt_.platform().client;
  if (robots_->needs_fetch(domain, now)) {
    // robots.txt first: one more request to the domain, under the same politeness.
    metrics_->count(now, "robots_fetches");
    // It takes the domain's next politeness slot like any fetch (waited for in delay mode;
    // taken at once in refuse mode, so the page's fetch right after it is too early).
    double slot = politeness_->book(domain, now);
    if (!refuse_early_)
      sg4::this_actor::sleep_until(slot);
    sg4::this_actor::sleep_for(latency_.sample(latency_rng_));
    rt_.transfer(host(replica), from, robots_bytes_);
    rt_.transfer(from, host(replica), 300);  // the page's GET follows
  }
  uint64_t url = ctx.req ? ctx.req->id : 0;
  if (robots_->disallowed(domain, url)) {
    metrics_->count(rt_.now(), "disallowed");
    Outcome o        = Outcome::success("disallowed");
    o.response_bytes = 0;
    return o;
  }
  now = rt_.now();
  if (refuse_early_) {
    if (!politeness_->try_now(domain, now)) {
      metrics_->count(now, "too_early");
      Outcome o        = Outcome::error("too_early");
      o.response_bytes = 200;
      return o;
    }
  } else {
    double slot = politeness_->book(domain, now);
    if (ctx.req && ctx.req->arrival >= rt_.scenario().run.warmup)
      wait_hist_.add(slot - now);
    sg4::this_actor::sleep_until(slot);
  }
  return answer(ctx, replica, "fetched");
}

void ExternalEndpoint::finish()
{
  if (delivery_hist_.count() > 0) {
    metrics_->set_value("delivery.mean", delivery_hist_.mean());
    metrics_->set_value("delivery.p50", delivery_hist_.quantile(0.5));
    metrics_->set_value("delivery.p99", delivery_hist_.quantile(0.99));
  }
  if (wait_hist_.count() > 0) {
    metrics_->set_value("politeness_wait", wait_hist_.mean());
    metrics_->set_value("politeness_wait.p99", wait_hist_.quantile(0.99));
  }
}

}  // namespace archsim
