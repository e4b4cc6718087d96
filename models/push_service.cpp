// push_service: a mobile push provider (APNs, FCM) seen from the sender.
//
// Keeps: the provider as a third party reached over the network (give it a datacenter of its
// own in `platform:` and `datacenter:` on the component, and every send pays the WAN both ways);
// its answer time drawn from a distribution (the provider's insides are not simulated); its
// quotas as real token buckets, one for the whole sender (FCM: 600,000 messages a minute per
// project) and one per device (the request's key), refusing with 429 ('throttled') what they do
// not admit; a share of sends that fail (invalid or unregistered tokens, 5xx); optionally a cap
// on sends in flight (HTTP/2 streams over the sender's connections), beyond which sends wait;
// the time from acceptance to the device, drawn from its own distribution and reported as
// `delivery.*` (the provider delivers on its own network, after answering us). A fault on the
// component is a provider outage: sends are refused ('unavailable').
// Abstracts away: the device side (offline devices and APNs's one stored notification per app,
// collapse keys, priorities), token refresh (APNs provider tokens), connection set-up and TLS,
// payload limits (4 KB), per-minute window semantics (a bucket of a minute's quota stands for
// them), the 5,000/hour per-device cap beyond the bucket below.
#include "models/push_service.h"

#include "models/external_endpoint.h"

namespace archsim {

const ModelSpec& push_service_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "push_service";
    s.summary   = "Mobile push provider (APNs / FCM): external latency, per-sender and per-device quotas, failures";
    s.keeps     = "a third party over the network (its own datacenter: WAN both ways); answer time from a "
                  "distribution; real token buckets per sender and per device (429 throttled); a failure share; "
                  "optional cap on sends in flight (HTTP/2 streams); time from acceptance to the device";
    s.abstracts = "device side (offline storage, collapse keys, priorities), provider tokens, TLS set-up, payload "
                  "limits, per-minute window semantics (a bucket of a minute's quota), the hourly per-device cap";
    ExternalDefaults d;
    d.latency        = "{dist: lognormal, mean: 80ms, p99: 400ms}";
    d.latency_source = "estimate: APNs/FCM answer times are not published (reference-figures.md s13 'FCM / APNs "
                       "delivery latency: not published')";
    d.rate           = "10000/s";
    d.rate_source    = "reference-figures.md s13: FCM 600,000 downstream messages/min per project = 10,000/s";
    d.burst          = "600000";
    d.burst_source   = "reference-figures.md s13: the quota is per minute (429 until the next minute): a bucket of "
                       "one minute's quota";
    d.key_rate       = "5000/h";
    d.key_rate_source = "reference-figures.md s13: FCM per device 240 messages/min and 5,000/h: sustained 5,000/h";
    d.key_burst      = "240";
    d.key_burst_source = "reference-figures.md s13: FCM per device 240 messages/min";
    d.failure        = "0.5%";
    d.failure_source = "estimate, not in reference-figures.md: stale or unregistered device tokens and 5xx";
    s.params         = external_params(d);
    s.params.push_back(
        param::distribution("delivery_latency", Unit::Duration, "{dist: lognormal, mean: 500ms, p99: 5s}",
                            "Time from the provider's acceptance to the device (reported as delivery.*, from the "
                            "send's start)")
            .cite("reference-figures.md s13: 'usually sub-second to seconds for high-priority messages to online "
                  "devices' (U)"));
    s.metrics = external_metrics();
    s.metrics.push_back({"delivered", Unit::Count, "Sends accepted by the provider (then delivered to the device)"});
    s.metrics.push_back({"delivery.mean", Unit::Duration, "Mean time from the send's start to the device"});
    s.metrics.push_back({"delivery.p50", Unit::Duration, "Median of that time"});
    s.metrics.push_back({"delivery.p99", Unit::Duration, "99th percentile of that time"});
    s.operations = {
        {"send", "Send one notification to the device of the current key (the request's key: a device token); "
                 "errors 'throttled' (429) and 'failed'",
         {},
         {"delivered"}},
    };
    return s;
  }();
  return spec;
}

Placement push_service_placement(const ParamValues&) { return {1, 1}; }

std::unique_ptr<Component> make_push_service(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<ExternalEndpoint>(rt, spec, ExternalConfig{"delivered", true, false});
}

}  // namespace archsim
