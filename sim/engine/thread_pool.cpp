#include "sim/engine/thread_pool.h"

#include <algorithm>

namespace archsim {

ThreadPool::ThreadPool(ComponentMetrics& metrics, size_t replicas, size_t threads, size_t queue_limit)
    : metrics_(metrics)
    , in_use_(metrics.declare_level("threads", static_cast<double>(threads)))
    , queued_(metrics.declare_level("queue", 0))
    , queue_limit_(queue_limit)
    , waiting_(replicas, 0)
{
  for (size_t r = 0; r < replicas; ++r)
    threads_.push_back(sg4::Semaphore::create(static_cast<unsigned>(threads)));
}

bool ThreadPool::acquire(size_t replica)
{
  double now = sg4::Engine::get_clock();
  // would_block() also covers a thread just released to a waiter that has not woken yet: the
  // semaphore hands it straight to that waiter, so a newcomer must queue behind it (FIFO).
  if (threads_[replica]->would_block()) {
    if (queue_limit_ > 0 && waiting_[replica] >= queue_limit_) {
      metrics_.count(now, "rejections");
      return false;
    }
    ++waiting_[replica];
    queued_.add(replica, now, 1);
    threads_[replica]->acquire();
    --waiting_[replica];
    queued_.add(replica, sg4::Engine::get_clock(), -1);
  } else {
    threads_[replica]->acquire();  // free: returns at once
  }
  in_use_.add(replica, sg4::Engine::get_clock(), 1);
  return true;
}

void ThreadPool::release(size_t replica)
{
  in_use_.add(replica, sg4::Engine::get_clock(), -1);
  threads_[replica]->release();
}

CpuMeter::CpuMeter(ComponentMetrics& metrics, const std::vector<sg4::Host*>& hosts)
    : hosts_(hosts)
    , cpu_(metrics.declare_level("cpu", hosts.empty() ? 1.0 : static_cast<double>(hosts.front()->get_core_count())))
    , running_(hosts.size(), 0)
{
}

void CpuMeter::work(size_t replica, double seconds)
{
  if (seconds <= 0)
    return;
  sg4::Host* host = hosts_[replica];
  int cores       = host->get_core_count();
  if (running_[replica]++ < cores)
    cpu_.add(replica, sg4::Engine::get_clock(), 1);
  // Nominal speed: a paused or slowed host (a fault switches its pstate) takes longer.
  sg4::Exec::init()->set_flops_amount(seconds * host->get_pstate_speed(0))->set_host(host)->wait();
  if (--running_[replica] < cores)
    cpu_.add(replica, sg4::Engine::get_clock(), -1);
}

}  // namespace archsim
