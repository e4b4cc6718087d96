// object_store: an S3-like object store seen from its clients.
//
// Keeps: `nodes` storage front-end hosts (requests spread round robin or by a hash of the key),
// each with a pool of `threads` request threads; every get/put/head/upload-part holds a thread
// for a first-byte time drawn from a distribution (the storage lookup, a sleep) plus CPU on the
// node's cores, so a node's request rate is bounded by threads / first-byte time; the object's
// bytes cross the simulated network (a get's response, a put's request), so size / bandwidth,
// link sharing and the TCP window bound per stream come out of the links; multipart uploads
// split the object into ceil(size / part_size) parts uploaded in parallel streams (up to
// `parallel` at a time), each a real transfer to a front-end node; per-prefix request-rate
// limits as real token buckets (prefix = key % prefixes; 5,500 GET/HEAD/s and 3,500 PUT/s per
// prefix), beyond which requests fail at once with 503 SlowDown ("slow_down"); which objects
// exist (written by put, or all of them with `preloaded`). Abstracts away: the storage layer
// behind the front-ends (replication, erasure coding, disks), S3's background re-partitioning
// of a hot prefix (30-60 min: longer than any run), byte-range gets, listing, deletes, versioning,
// and where a multipart upload's parts come from: the Component API does not tell serve() which
// host the request came from, so the parts are sent from the clients' host (exact when the
// clients call the store directly, as in the demo; an approximation when a service does).
#include "models/object_store.h"

#include <algorithm>
#include <memory>

#include "models/object_store_limits.h"
#include "sim/core/hash_ring.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

namespace {
// Response of a head, a put, an upload-part, a presign or an error: HTTP status and headers
// (ETag, Content-Length, Last-Modified, x-amz-request-id...), a few hundred bytes.
constexpr double kHeaderBytes = 300;
// A presigned URL: the URL with its query-string signature.
constexpr double kPresignBytes = 600;
}  // namespace

const ModelSpec& object_store_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name      = "object_store";
    s.summary   = "S3-like object store: front-end nodes, first-byte latency, objects over real links, "
                  "multipart uploads, per-prefix rate limits (503 SlowDown)";
    s.keeps     = "front-end nodes with request threads held for a first-byte time; object bytes over the "
                  "simulated links (size / bandwidth, sharing, per-stream TCP window); multipart parts in "
                  "parallel streams; token buckets per prefix and request class; which objects exist";
    s.abstracts = "the storage layer (replication, erasure coding, disks), background re-partitioning, "
                  "byte-range gets, listing, deletes, versioning; multipart parts come from the clients' host";
    s.params = {
        param::count("nodes", "4", "Storage front-end hosts; requests are spread over them").range(1, 10000)
            .cite("not on the sheet (S3 does not publish its front-end fleet): model assumption"),
        param::count("threads", "256", "Request threads per node; a request holds one for its first-byte time")
            .range(1, 100000)
            .cite("not on the sheet: model assumption, large enough that the prefix limits bind first"),
        param::count("cores", "8", "Cores per node host").range(1, 1024)
            .cite("not on the sheet: model assumption"),
        param::choice("routing", {"round_robin", "key_hash"}, "round_robin",
                      "How requests are spread over the nodes: round robin (DNS / load balancer) or by key hash")
            .cite("not on the sheet: S3 endpoints resolve to many front-end IPs (round robin)"),
        param::distribution("first_byte", Unit::Duration, "{dist: lognormal, mean: 40ms, p99: 200ms}",
                            "Time to first byte of a request on its node (index lookup, storage read): a sleep "
                            "holding a thread")
            .cite("reference-figures.md s8: small-object latency, median 'often in the tens of milliseconds' for "
                  "< 512 KB (V); first-byte latency 100-200 ms commonly quoted (U), taken as the tail"),
        param::distribution("cpu", Unit::Duration, "200us",
                            "CPU per request on the node (HTTP parsing, auth signature check, checksums)")
            .cite("not on the sheet: model assumption"),
        param::count("prefixes", "1", "Partitioned key prefixes: the prefix of key k is k % prefixes")
            .range(1, 1000000)
            .cite("reference-figures.md s8: request rate per partitioned prefix, 'scales by adding prefixes'"),
        param::quantity("get_rate", Unit::Rate, "5500/s", "GET/HEAD requests per second per prefix")
            .range(1, 1e9)
            .cite("reference-figures.md s8: request rate per partitioned prefix, 5,500 GET/HEAD/s (V)"),
        param::quantity("put_rate", Unit::Rate, "3500/s", "PUT/POST (and upload-part) requests per second per prefix")
            .range(1, 1e9)
            .cite("reference-figures.md s8: request rate per partitioned prefix, 3,500 PUT/COPY/POST/DELETE/s (V)"),
        param::quantity("burst", Unit::Duration, "100ms",
                        "Depth of each prefix's token bucket, in seconds of its rate")
            .range(0, 3600)
            .cite("not on the sheet (S3 publishes no burst): model assumption; reference-figures.md s8 scaling "
                  "transition: 503 Slow Down at sustained rates beyond the prefix's"),
        param::flag("preloaded", false, "Every key of the key space exists at start (false: only keys put during the run)"),
    };
    s.metrics = {
        {"slow_downs", Unit::Count, "Requests refused with 503 SlowDown: over their prefix's request rate"},
        {"bytes_in", Unit::Size, "Object bytes uploaded (puts and multipart parts)"},
        {"bytes_out", Unit::Size, "Object bytes downloaded (gets that found their object)"},
        {"parts", Unit::Count, "Multipart upload parts uploaded"},
        {"absent", Unit::Count, "Gets and heads of objects that do not exist (404)"},
        {"objects", Unit::Number, "Objects written during the run (end of run)"},
        {"utilisation", Unit::Fraction, "Busy cores / cores, after warm-up"},
        {"thread_utilisation", Unit::Fraction, "Threads in use / threads"},
        {"queue_length", Unit::Number, "Mean requests waiting for a thread (all nodes)"},
    };
    ParamSpec part_size =
        param::quantity("part_size", Unit::Size, "8MiB", "Size of each part (the last one may be smaller)")
            .range(5 * 1048576.0, 5 * 1073741824.0)
            .cite("reference-figures.md s8: throughput per connection row, byte ranges of 8-16 MB (V); "
                  "multipart part size 5 MiB to 5 GiB (V)");
    ParamSpec parallel =
        param::count("parallel", "15", "Parts uploaded at once (parallel streams)")
            .range(1, 10000)
            .cite("reference-figures.md s8: throughput per connection, ~15 concurrent requests to saturate 10 Gb/s");
    s.operations = {
        {"get", "GetObject: first-byte time on a node, then the object's bytes as the response", {}, {"found", "absent"}},
        {"put", "PutObject: the object's bytes as the request, then first-byte time on a node", {}, {}},
        {"head", "HeadObject: first-byte time, headers only as the response", {}, {"found", "absent"}},
        {"presign", "Presign a URL: CPU only on a node (no storage lookup, not rate limited), a short response",
         {}, {}},
        {"multipart",
         "Multipart upload: create, ceil(size / part_size) parts in parallel streams from the clients' host to "
         "the nodes (each part a PUT-class request with its own first-byte time), complete",
         {part_size, parallel},
         {}},
    };
    return s;
  }();
  return spec;
}

Placement object_store_placement(const ParamValues& p)
{
  return {static_cast<size_t>(p.integer("nodes")), static_cast<int>(p.integer("cores"))};
}

namespace {

using objstore::OpClass;

class ObjectStore : public Component {
public:
  ObjectStore(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , threads_(*metrics_, replicas(), static_cast<size_t>(spec.params.integer("threads")), 0)
      , cpu_(*metrics_, hosts_)
      , first_byte_(spec.params.dist("first_byte"))
      , cpu_time_(spec.params.dist("cpu"))
      , lookup_rng_(rt.stream(spec.name, "first_byte"))
      , cpu_rng_(rt.stream(spec.name, "cpu"))
      , by_hash_(spec.params.text("routing") == "key_hash")
      , limits_(static_cast<size_t>(spec.params.integer("prefixes")), spec.params.number("get_rate"),
                spec.params.number("put_rate"), spec.params.number("burst"))
      , objects_(spec.params.flag("preloaded"))
  {
  }

  size_t choose_replica(const FlowContext& ctx) override
  {
    if (by_hash_ && ctx.has_key)
      return static_cast<size_t>(mix64(object_id(ctx)) % replicas());
    return Component::choose_replica(ctx);
  }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    if (step.op == "put")
      return value_bytes(ctx);
    if (step.op == "multipart")
      return 0;  // the parts travel on their own streams
    return -1;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body& body) override
  {
    if (down_[replica])
      return Outcome::error("unavailable");
    const std::string& op = step.op;
    if (op == "presign") {
      threads_.acquire(replica);
      cpu_.work(replica, cpu_time_.sample(cpu_rng_));
      threads_.release(replica);
      Outcome o        = Outcome::success();
      o.response_bytes = kPresignBytes;
      return o;
    }
    if (op == "multipart")
      return multipart(ctx, step, replica);
    if (op != "get" && op != "put" && op != "head")  // a plain call: one request, then the nested steps
      return request(ctx, replica, OpClass::Read, [&] { return body ? body() : Outcome::success(); });

    OpClass cls = op == "put" ? OpClass::Write : OpClass::Read;
    return request(ctx, replica, cls, [&] {
      uint64_t id = object_id(ctx);
      double now  = rt_.now();
      Outcome o;
      if (op == "put") {
        objects_.put(id);
        metrics_->count(now, "bytes_in", value_bytes(ctx));
        o                = Outcome::success();
        o.response_bytes = kHeaderBytes;
        return o;
      }
      bool found = objects_.exists(id);
      if (!found)
        metrics_->count(now, "absent");
      o                = Outcome::success(found ? "found" : "absent");
      o.response_bytes = kHeaderBytes;
      if (found && op == "get") {
        o.response_bytes = value_bytes(ctx);
        metrics_->count(now, "bytes_out", o.response_bytes);
      }
      return o;
    });
  }

  void finish() override { metrics_->set_value("objects", static_cast<double>(objects_.written())); }

  // Front-ends are stateless: a crashed node refuses its requests; the objects are durable.

private:
  uint64_t object_id(const FlowContext& ctx) const
  {
    uint64_t space = 0;
    if (ctx.key_space)
      for (char ch : ctx.key_space->name)
        space = space * 131 + static_cast<unsigned char>(ch);
    return mix64(ctx.key ^ mix64(space + 0x5333ULL));
  }

  // One S3 request on a node: the prefix's token bucket admits it or it gets 503 SlowDown at
  // once; then a thread for the first-byte time and CPU, during which `inside` runs.
  template <class F>
  Outcome request(const FlowContext& ctx, size_t replica, OpClass cls, F inside)
  {
    if (!limits_.admit(ctx.key, cls, rt_.now())) {
      // The front-end still parses and authenticates the request before refusing it.
      cpu_.work(replica, cpu_time_.sample(cpu_rng_));
      metrics_->count(rt_.now(), "slow_downs");
      return Outcome::error("slow_down");
    }
    threads_.acquire(replica);
    sg4::this_actor::sleep_for(first_byte_.sample(lookup_rng_));
    cpu_.work(replica, cpu_time_.sample(cpu_rng_));
    Outcome o = inside();
    threads_.release(replica);
    return o;
  }

  Outcome multipart(FlowContext& ctx, const Step& step, size_t replica)
  {
    double part  = step.args.has("part_size") ? step.args.number("part_size") : 8 * 1048576.0;
    size_t width = step.args.has("parallel") ? static_cast<size_t>(step.args.integer("parallel")) : 15;
    Outcome created = request(ctx, replica, OpClass::Write, [] { return Outcome::success(); });  // Create
    if (!created.ok())
      return created;

    struct Shared {
      std::vector<double> parts;
      size_t next    = 0;
      size_t running = 0;
      bool failed    = false;
      Outcome failure;
      sg4::SemaphorePtr done = sg4::Semaphore::create(0);
    };
    auto sh   = std::make_shared<Shared>();
    sh->parts = objstore::split_parts(value_bytes(ctx), part);
    size_t streams = std::min(width, sh->parts.size());
    sg4::Host* from = rt_.platform().client ? rt_.platform().client : host(replica);
    FlowContext own = ctx;
    // Each stream uploads parts one after the other (as an SDK's transfer manager does) to the
    // nodes in turn, starting after the coordinating one.
    auto stream = [this, sh, from, own, replica]() {
      while (!sh->failed && sh->next < sh->parts.size()) {
        size_t i     = sh->next++;
        size_t node  = (replica + 1 + i) % replicas();
        double bytes = sh->parts[i];
        rt_.transfer(from, host(node), bytes);
        Outcome o = down_[node] ? Outcome::error("unavailable")
                                : request(own, node, OpClass::Write, [] { return Outcome::success(); });
        if (o.ok()) {
          rt_.transfer(host(node), from, kHeaderBytes);  // the part's ETag
          metrics_->count(rt_.now(), "parts");
          metrics_->count(rt_.now(), "bytes_in", bytes);
        } else if (!sh->failed) {
          sh->failed  = true;
          sh->failure = o;
        }
      }
      if (--sh->running == 0)
        sh->done->release();
    };
    for (size_t s = 0; s < streams; ++s) {
      ++sh->running;
      if (!rt_.pool().submit(stream)) {
        --sh->running;
        sh->failed  = true;
        sh->failure = Outcome::error("overload");
      }
    }
    if (sh->running > 0)
      sh->done->acquire();
    if (sh->failed)
      return sh->failure;
    // CompleteMultipartUpload: the part list goes up, the object now exists.
    rt_.transfer(from, host(replica), 100.0 * static_cast<double>(sh->parts.size()));
    return request(ctx, replica, OpClass::Write, [&] {
      objects_.put(object_id(ctx));
      Outcome o        = Outcome::success();
      o.response_bytes = kHeaderBytes;
      return o;
    });
  }

  ThreadPool threads_;
  CpuMeter cpu_;
  const Distribution& first_byte_;
  const Distribution& cpu_time_;
  Rng lookup_rng_;
  Rng cpu_rng_;
  bool by_hash_;
  objstore::PrefixLimiter limits_;
  objstore::ObjectIndex objects_;
};

}  // namespace

std::unique_ptr<Component> make_object_store(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<ObjectStore>(rt, spec);
}

}  // namespace archsim
