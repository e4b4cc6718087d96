// external_service: a third party we call (a payment processor, a travel-time service, a DNS
// resolver, a crawled web site).
//
// Keeps: the third party reached over the network (give it a datacenter of its own in
// `platform:` and `datacenter:` on the component, and every call pays the WAN both ways); its
// answer time drawn from a distribution (its insides are not simulated); its rate limits as real
// token buckets, one for us as a whole and one per key (an account, a domain), refusing with 429
// ('throttled') what they do not admit; a share of calls that fail; optionally a cap on calls in
// flight, beyond which calls wait; timeouts and retries come from the caller's retry policy
// (`timeout:`, `retries:` on the step), as they do in real clients. For a crawled web (`robots:
// true`, the request's key is the domain): robots.txt fetched from each domain on first contact
// and again after `robots_ttl`, a stable share of each domain's URLs disallowed (the fetch answers
// 'disallowed' without a page), and politeness per domain: fetches of one domain start at least
// `crawl_delay` apart (a real next-allowed time per domain), either waited for or refused
// ('too_early'). A fault on the component is an outage: calls are refused ('unavailable').
// Abstracts away: the third party's own capacity and queues (only its answer-time law), TLS and
// connection set-up, webhooks back to us, idempotency keys, robots rules by path (a URL is
// disallowed by a stable draw against its domain's share), per-domain Crawl-delay values (one
// delay for all domains), page sizes (the request class's response_size).
#include "models/external_service.h"

#include "models/external_endpoint.h"

namespace archsim {

const ModelSpec& external_service_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "external_service";
    s.summary   = "Third-party API or crawled web site: external latency, rate limits, failures, robots.txt and "
                  "politeness";
    s.keeps     = "a third party over the network (its own datacenter: WAN both ways); answer time from a "
                  "distribution; real token buckets for us and per key (429 throttled); a failure share; optional "
                  "cap on calls in flight; robots.txt per domain with a TTL, disallowed URLs, a real next-allowed "
                  "time per domain (wait or refuse)";
    s.abstracts = "the provider's own capacity and queues, TLS, webhooks, idempotency, robots rules by path, "
                  "per-domain crawl delays, page sizes (the class's response_size)";
    ExternalDefaults d;
    d.latency        = "{dist: lognormal, mean: 300ms, p99: 1.5s}";
    d.latency_source = "estimate, not in reference-figures.md: a payment API call of a few hundred ms with a "
                       "right-skewed tail (s15: lognormal is the usual shape of web response times)";
    d.rate           = "100/s";
    d.rate_source    = "estimate, not in reference-figures.md: Stripe documents a default of 100 requests/s in live "
                       "mode";
    d.burst          = "100";
    d.burst_source   = "estimate: one second's worth";
    d.key_rate       = "0/s";
    d.key_rate_source = "no per-key limit unless given (a crawled site: 1/s per domain, cheatsheet s26)";
    d.key_burst      = "1";
    d.key_burst_source = "one request at a time when a per-key rate is given";
    d.failure        = "0.1%";
    d.failure_source = "estimate, not in reference-figures.md";
    s.params         = external_params(d);
    s.params.push_back(param::flag("robots", false,
                                   "A crawled web: `fetch` honours robots.txt and per-domain politeness (the "
                                   "request's key is the domain)"));
    s.params.push_back(param::quantity("robots_ttl", Unit::Duration, "24h", "How long a domain's robots.txt is "
                                                                            "cached before it is fetched again")
                           .range(0, 1e9)
                           .cite("estimate, not in reference-figures.md: Google caches robots.txt for up to 24 h"));
    s.params.push_back(param::quantity("disallowed", Unit::Fraction, "10%",
                                       "Mean share of a domain's URLs that robots.txt disallows (per domain: "
                                       "uniform over [0, twice this])")
                           .range(0, 0.5)
                           .cite("estimate, not in reference-figures.md"));
    s.params.push_back(param::quantity("crawl_delay", Unit::Duration, "1s",
                                       "Least time between two fetches of one domain (robots Crawl-delay or the "
                                       "crawler's own politeness)")
                           .range(0, 1e6)
                           .cite("cheatsheet s26 (Web Crawler): rate limiting at 1 request/s per domain"));
    s.params.push_back(param::choice("politeness", {"delay", "refuse"}, "delay",
                                     "delay: a fetch waits for its domain's next slot; refuse: a fetch before it "
                                     "fails with 'too_early' (the flow's retry policy decides)"));
    s.params.push_back(param::quantity("robots_size", Unit::Size, "2KB", "Bytes of a robots.txt answer")
                           .range(0, 1e9)
                           .cite("estimate, not in reference-figures.md"));
    s.metrics = external_metrics();
    s.metrics.push_back({"robots_fetches", Unit::Count, "robots.txt fetches (first contact with a domain, then every "
                                                        "robots_ttl)"});
    s.metrics.push_back({"disallowed", Unit::Count, "Fetches of URLs that robots.txt disallows (not fetched)"});
    s.metrics.push_back({"too_early", Unit::Count, "Fetches refused before their domain's next slot (refuse mode)"});
    s.metrics.push_back({"politeness_wait", Unit::Duration, "Mean wait for the domain's slot (delay mode)"});
    s.metrics.push_back({"politeness_wait.p99", Unit::Duration, "99th percentile of that wait"});
    s.operations = {
        {"call", "Call the third party (payment, travel-time query, DNS lookup); errors 'throttled' (429) and "
                 "'failed'",
         {},
         {"ok"}},
        {"fetch", "Fetch a page of the current key's domain: with robots, robots.txt first when due, 'disallowed' "
                  "URLs skipped, then the domain's politeness slot",
         {},
         {"fetched", "disallowed"}},
    };
    return s;
  }();
  return spec;
}

Placement external_service_placement(const ParamValues&) { return {1, 1}; }

std::unique_ptr<Component> make_external_service(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<ExternalEndpoint>(rt, spec, ExternalConfig{"ok", false, spec.params.flag("robots")});
}

}  // namespace archsim
