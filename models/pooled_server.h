#pragma once
// The server shape shared by `service` and `queue_station`: a thread pool per replica in front
// of CPU work drawn from a distribution; threads optionally held during nested calls.
#include "sim/engine/component.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

struct PooledServerConfig {
  size_t threads;
  size_t queue_limit;  // 0 = unbounded
  const Distribution* work;
  bool hold_thread;        // keep the thread while nested steps run
  const char* rng_purpose; // RNG stream name for the work draws
};

class PooledServer : public Component {
public:
  PooledServer(Runtime& rt, const ComponentSpec& spec, const PooledServerConfig& config);
  Outcome serve(FlowContext& ctx, const Step& step, size_t replica, const Body& body) override;

private:
  ThreadPool threads_;
  CpuMeter cpu_;
  const Distribution& work_;
  bool hold_;
  Rng rng_;
};

}  // namespace archsim
