#pragma once
// A fixed pool of worker threads per replica, with a FIFO wait queue and an optional bound on
// that queue. Requests hold a thread while they are served (and, for blocking servers, while
// their downstream calls run), so pool exhaustion and queueing come out of the simulation.
// Records the "threads" (in use) and "queue" (waiting) levels of the component.
#include <vector>

#include <simgrid/s4u.hpp>

#include "sim/engine/metrics.h"

namespace archsim {
namespace sg4 = simgrid::s4u;

class ThreadPool {
public:
  // queue_limit 0: the queue is unbounded.
  ThreadPool(ComponentMetrics& metrics, size_t replicas, size_t threads, size_t queue_limit);
  // Waits for a free thread; returns false at once (a rejection) when the queue is full.
  bool acquire(size_t replica);
  void release(size_t replica);
  size_t waiting(size_t replica) const { return waiting_[replica]; }

private:
  ComponentMetrics& metrics_;
  ComponentMetrics::Level& in_use_;
  ComponentMetrics::Level& queued_;
  size_t queue_limit_;
  std::vector<sg4::SemaphorePtr> threads_;
  std::vector<size_t> waiting_;
};

// CPU work on a replica's host, recording the "cpu" level as busy cores (never above the core
// count: beyond it, computations share the cores, as runnable threads do).
class CpuMeter {
public:
  CpuMeter(ComponentMetrics& metrics, const std::vector<sg4::Host*>& hosts);
  void work(size_t replica, double seconds);

private:
  const std::vector<sg4::Host*>& hosts_;
  ComponentMetrics::Level& cpu_;
  std::vector<int> running_;
};

}  // namespace archsim
