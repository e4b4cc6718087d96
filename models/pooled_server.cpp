#include "models/pooled_server.h"

#include "sim/engine/runtime.h"

namespace archsim {

PooledServer::PooledServer(Runtime& rt, const ComponentSpec& spec, const PooledServerConfig& config)
    : Component(rt, spec)
    , threads_(*metrics_, replicas(), config.threads, config.queue_limit)
    , cpu_(*metrics_, hosts_)
    , work_(*config.work)
    , hold_(config.hold_thread)
    , rng_(rt.stream(spec.name, config.rng_purpose))
{
}

Outcome PooledServer::serve(FlowContext&, const Step&, size_t replica, const Body& body)
{
  if (!threads_.acquire(replica))
    return Outcome::error("rejected");
  cpu_.work(replica, work_.sample(rng_));
  if (!hold_)
    threads_.release(replica);
  Outcome o = body ? body() : Outcome::success();
  if (hold_)
    threads_.release(replica);
  return o;
}

}  // namespace archsim
