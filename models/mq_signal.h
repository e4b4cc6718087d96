#pragma once
// Parks actors until some model state holds (a consumer waiting for deliveries, a timer waiting
// for the next due time, a slot waiting for a task), for the message_queue, scheduler and
// batch_job models. Whoever changes the state calls notify(). Careful: SimGrid actors are not
// preempted, but every simcall (the mutex's unlock on the way out of wait() included) lets other
// actors run, so the state may change between `ready` returning true and wait() returning.
// Whatever must not race (taking an item off a shared queue) belongs inside `ready` itself.
#include <mutex>

#include <simgrid/s4u.hpp>

namespace archsim {

class StateSignal {
public:
  StateSignal() : mutex_(simgrid::s4u::Mutex::create()), cv_(simgrid::s4u::ConditionVariable::create()) {}

  template <class Pred>
  void wait(Pred ready)
  {
    std::unique_lock<simgrid::s4u::Mutex> lock(*mutex_);
    while (!ready())
      cv_->wait(lock);
  }
  // Waits until `ready` holds or the clock reaches `until`; returns ready().
  template <class Pred>
  bool wait_until(double until, Pred ready)
  {
    std::unique_lock<simgrid::s4u::Mutex> lock(*mutex_);
    while (!ready()) {
      if (simgrid::s4u::Engine::get_clock() >= until - 1e-9)  // clock rounding
        return false;
      cv_->wait_until(lock, until);
    }
    return true;
  }
  void notify() { cv_->notify_all(); }

private:
  simgrid::s4u::MutexPtr mutex_;
  simgrid::s4u::ConditionVariablePtr cv_;
};

}  // namespace archsim
