#include "sim/engine/executor_pool.h"

#include <algorithm>
#include <string>

namespace archsim {

ExecutorPool::ExecutorPool(sg4::Host* host, size_t max_actors, size_t max_backlog)
    : host_(host), max_actors_(max_actors), max_backlog_(max_backlog), ready_(sg4::Semaphore::create(0))
{
}

bool ExecutorPool::submit(std::function<void()> task)
{
  // Tasks beyond the actor cap wait here; the cap on this wait bounds memory under overload.
  if (tasks_.size() >= waiting_ + max_backlog_ && actors_ >= max_actors_)
    return false;
  tasks_.push_back(std::move(task));
  if (tasks_.size() > waiting_ && actors_ < max_actors_)
    spawn();
  ready_->release();
  return true;
}

void ExecutorPool::spawn()
{
  ++actors_;
  peak_actors_ = std::max(peak_actors_, actors_);
  sg4::Actor::init("executor-" + std::to_string(actors_), host_)
      ->set_stacksize(kStackBytes)
      ->start([this] { loop(); })
      ->daemonize();
}

void ExecutorPool::loop()
{
  while (true) {
    ++waiting_;
    ready_->acquire();
    --waiting_;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    task();
  }
}

}  // namespace archsim
