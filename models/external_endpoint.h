#pragma once
// The shape shared by `push_service` and `external_service`: a third party reached over the
// network (put it in a datacenter of its own to pay the WAN), that answers after a latency of
// its own (a distribution: its insides are not ours to simulate), refuses what its token buckets
// do not admit (429), fails a share of requests, optionally caps the requests in flight from
// us (HTTP/2 streams), and, for a crawled web site, serves robots.txt and is fetched politely.
#include <memory>
#include <string>

#include "models/external_limits.h"
#include "models/registry.h"
#include "sim/core/log_histogram.h"
#include "sim/engine/component.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

struct ExternalConfig {
  std::string success_tag;      // "delivered" (push), "ok" (generic)
  bool push         = false;    // records the time to the device after acceptance
  bool robots       = false;    // serves robots.txt; `fetch` checks rules and politeness
};

// Parameters every external endpoint takes (with the defaults the model gives).
struct ExternalDefaults {
  std::string latency, latency_source;
  std::string rate, rate_source, burst, burst_source;
  std::string key_rate, key_rate_source, key_burst, key_burst_source;
  std::string failure, failure_source;
};
std::vector<ParamSpec> external_params(const ExternalDefaults& d);
std::vector<MetricSpec> external_metrics();

class ExternalEndpoint : public Component {
public:
  ExternalEndpoint(Runtime& rt, const ComponentSpec& spec, ExternalConfig config);
  Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body& body) override;
  void finish() override;

private:
  uint64_t key_of(const FlowContext& ctx) const;
  // Rate limits, failure draw and the provider's latency: the common end of every call.
  Outcome answer(FlowContext& ctx, size_t replica, const std::string& tag);
  Outcome fetch(FlowContext& ctx, size_t replica);

  ExternalConfig config_;
  const Distribution& latency_;
  const Distribution* delivery_ = nullptr;
  TokenBucket bucket_;
  bool limited_;
  KeyedBuckets per_key_;
  double failure_rate_;
  std::unique_ptr<ThreadPool> streams_;
  std::unique_ptr<RobotsRules> robots_;
  std::unique_ptr<Politeness> politeness_;
  bool refuse_early_ = false;
  double robots_bytes_ = 0;
  Rng latency_rng_, failure_rng_, delivery_rng_;
  LogHistogram delivery_hist_, wait_hist_;
};

}  // namespace archsim
