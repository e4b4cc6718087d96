// How a request walks its flow: calls, data operations, parallel fan-out with a join, branches,
// and timeouts with retries. Implements the walking part of Runtime.
#include <algorithm>
#include <cmath>

#include "sim/engine/runtime.h"

namespace archsim {

namespace {
constexpr double kRefusedBytes = 60;  // a TCP reset: headers only
}

Outcome Runtime::walk(FlowContext& ctx, const std::vector<Step>& steps, sg4::Host* at)
{
  for (const auto& step : steps) {
    Outcome o = run_step(ctx, step, at);
    if (!o.ok())
      return o;
  }
  return Outcome::success();
}

Outcome Runtime::run_step(FlowContext& ctx, const Step& step, sg4::Host* at)
{
  switch (step.kind) {
    case Step::Kind::Call:
    case Step::Kind::Op:
      return with_retries(ctx, step, at);
    case Step::Kind::Parallel:
      return parallel(ctx, step, at);
    case Step::Kind::Branch:
      return branch(ctx, step, at);
    case Step::Kind::Fanout:
      return fanout(ctx, step, at);
  }
  return Outcome::error("unknown step");
}

Outcome Runtime::with_retries(FlowContext& ctx, const Step& step, sg4::Host* at)
{
  if (!step.retry)
    return attempt(ctx, step, at);
  const RetryPolicy& r = *step.retry;
  Outcome last;
  for (int k = 0; k <= r.retries; ++k) {
    if (k > 0) {
      double wait = r.backoff * std::pow(2.0, k - 1);
      if (r.backoff_max > 0)
        wait = std::min(wait, r.backoff_max);
      if (r.jitter > 0)
        wait *= 1 - r.jitter * flow_rngs_[ctx.req->class_index].uniform01();
      component(step.component).metrics().count(now(), "retries");
      if (wait > 0)
        sg4::this_actor::sleep_for(wait);
    }
    last = r.timeout > 0 ? attempt_with_timeout(ctx, step, at, r.timeout) : attempt(ctx, step, at);
    if (last.ok())
      return last;
  }
  return last;
}

Outcome Runtime::attempt_with_timeout(const FlowContext& ctx, const Step& step, sg4::Host* at, double timeout)
{
  // The attempt runs in another executor so that the caller can give up on it while the
  // callee goes on working (and holding its resources), as an abandoned RPC does.
  struct Shared {
    sg4::SemaphorePtr done = sg4::Semaphore::create(0);
    Outcome outcome;
  };
  auto shared = std::make_shared<Shared>();
  bool queued = pool_->submit([this, shared, own = FlowContext(ctx), &step, at]() mutable {
    shared->outcome = attempt(own, step, at);
    shared->done->release();
  });
  if (!queued)
    return Outcome::error("overload");
  if (shared->done->acquire_timeout(timeout)) {
    component(step.component).metrics().count(now(), "timeouts");
    return Outcome::timeout();
  }
  return shared->outcome;
}

size_t Runtime::pick_replica(FlowContext& ctx, Component& c)
{
  for (auto it = ctx.pins.begin(); it != ctx.pins.end(); ++it)
    if (it->first == &c) {
      size_t r = it->second;
      ctx.pins.erase(it);
      return r;
    }
  return c.choose_replica(ctx);
}

Outcome Runtime::attempt(FlowContext& ctx, const Step& step, sg4::Host* at)
{
  if (!step.key_space.empty()) {
    const KeySpaceSpec* space = sc_.key_space(step.key_space);
    ctx.key_space             = space;
    ctx.key                   = space->popularity->sample(flow_rngs_[ctx.req->class_index]);
    ctx.has_key               = true;
  }
  Component& c      = *by_name_.at(step.component);
  size_t replica    = pick_replica(ctx, c);
  sg4::Host* there  = c.host(replica);
  const Request& rq = *ctx.req;
  double model_bytes = step.request_bytes >= 0 ? -1 : c.request_bytes(ctx, step);
  if (partition_between(at, there) && !wait_through_partition(at, there)) {
    // The connection never got through: the caller's kernel gave up (or its timeout did).
    c.metrics().count(now(), "unreachable");
    return Outcome::error("unreachable");
  }
  transfer(at, there, step.request_bytes >= 0 ? step.request_bytes : model_bytes >= 0 ? model_bytes : rq.request_bytes);
  double arrived = now();
  c.enter(replica);
  Outcome o;
  ctx.caller = at;
  auto failing = fail_rate_.empty() ? fail_rate_.end() : fail_rate_.find(&c);
  if (c.is_down(replica)) {
    // The process is dead: the host answers with a reset (connection refused).
    c.metrics().count(arrived, "unavailable");
    o = Outcome::error("unavailable");
    o.response_bytes = kRefusedBytes;
  } else if (failing != fail_rate_.end() && failing->second > 0 && fault_rng_.uniform01() < failing->second) {
    // A dependency failing at a rate (a 'fail' fault) answers an error at once, as a 503 does.
    c.metrics().count(arrived, "injected_failures");
    o = Outcome::error("injected_failure");
    o.response_bytes = kRefusedBytes;
  } else if (step.kind == Step::Kind::Call) {
    o = c.serve(ctx, step, replica, [&]() { return walk(ctx, step.body, there); });
  } else if (!step.body.empty()) {
    // A block operation (a transaction): its statements are sent from the caller.
    o = c.serve(ctx, step, replica, [&]() { return walk(ctx, step.body, at); });
  } else {
    o = c.serve(ctx, step, replica, Body{});
  }
  c.leave(replica);
  c.metrics().residence(arrived, now());
  transfer(there, at,
           step.response_bytes >= 0 ? step.response_bytes : o.response_bytes >= 0 ? o.response_bytes : rq.response_bytes);
  if (step.kind == Step::Kind::Op) {
    // Outcome handlers (on_miss, on_error, ...) run at the caller, after the answer is back.
    auto handler = step.on_outcome.find(o.ok() ? o.tag : (o.status == Outcome::Status::Timeout ? "timeout" : "error"));
    if (handler != step.on_outcome.end())
      return walk(ctx, handler->second, at);
  }
  return o;
}

Outcome Runtime::parallel(const FlowContext& ctx, const Step& step, sg4::Host* at)
{
  struct Join {
    int needed;
    int total;
    int ok   = 0;
    int done = 0;
    bool signalled = false;
    Outcome failure = Outcome::error("parallel");
    sg4::SemaphorePtr sem = sg4::Semaphore::create(0);
  };
  auto join = std::make_shared<Join>();
  join->needed = step.quorum;
  join->total  = static_cast<int>(step.branches.size());
  for (const auto& branch_steps : step.branches) {
    bool queued = pool_->submit([this, join, own = FlowContext(ctx), &branch_steps, at]() mutable {
      Outcome o = walk(own, branch_steps, at);
      ++join->done;
      if (o.ok())
        ++join->ok;
      else
        join->failure = o;
      bool decided = join->ok >= join->needed || (join->done - join->ok) > (join->total - join->needed);
      if (decided && !join->signalled) {
        join->signalled = true;
        join->sem->release();
      }
    });
    if (!queued) {
      ++join->done;
      join->failure = Outcome::error("overload");
    }
  }
  if ((join->done - join->ok) > (join->total - join->needed) && !join->signalled) {
    join->signalled = true;
    join->sem->release();
  }
  join->sem->acquire();
  return join->ok >= join->needed ? Outcome::success() : join->failure;
}

Outcome Runtime::branch(FlowContext& ctx, const Step& step, sg4::Host* at)
{
  double u = flow_rngs_[ctx.req->class_index].uniform01();
  for (const auto& [p, steps] : step.choices) {
    if (u < p)
      return walk(ctx, steps, at);
    u -= p;
  }
  return Outcome::success();
}

namespace {

bool subject_qualifies(const SocialGraph& g, UserId u, FanoutSpec::Subject s)
{
  switch (s) {
    case FanoutSpec::Subject::Any:
      return true;
    case FanoutSpec::Subject::Regular:
      return !g.is_celebrity(u);
    case FanoutSpec::Subject::Celebrity:
      return g.is_celebrity(u);
  }
  return true;
}

bool member_qualifies(const SocialGraph& g, UserId u, FanoutSpec::Members m)
{
  switch (m) {
    case FanoutSpec::Members::All:
      return true;
    case FanoutSpec::Members::Active:
      return g.is_active(u);
    case FanoutSpec::Members::Inactive:
      return !g.is_active(u);
    case FanoutSpec::Members::Celebrities:
      return g.is_celebrity(u);
    case FanoutSpec::Members::Regular:
      return !g.is_celebrity(u);
  }
  return true;
}

}  // namespace

Outcome Runtime::fanout(FlowContext& ctx, const Step& step, sg4::Host* at)
{
  const FanoutSpec& f  = step.fanout;
  const SocialGraph& g = social_graph(f.graph);
  if (!ctx.has_key || ctx.key >= g.users())
    return Outcome::error("no_such_user");  // the acting user must be a user id of the graph
  if (!subject_qualifies(g, ctx.key, f.subject))
    return Outcome::success();
  // The members, in list order, filtered and capped: real ids from the graph (a celebrity's
  // post visits every one of its followers).
  std::vector<UserId> members;
  auto take = [&](UserId v) {
    if ((f.limit == 0 || members.size() < f.limit) && member_qualifies(g, v, f.members))
      members.push_back(v);
  };
  if (f.of == FanoutSpec::Of::Followers)
    g.for_each_follower(ctx.key, take);
  else
    for (UserId v : g.following(ctx.key))
      take(v);
  const KeySpaceSpec* space = step.key_space.empty() ? ctx.key_space : sc_.key_space(step.key_space);
  auto run_members = [this, &members, &step, at, space](FlowContext own, size_t first, size_t stride) {
    for (size_t i = first; i < members.size(); i += stride) {
      own.key       = members[i];
      own.has_key   = true;
      own.key_space = space;
      Outcome o     = walk(own, step.body, at);
      if (!o.ok())
        return o;
    }
    return Outcome::success();
  };
  size_t lanes = std::min(f.concurrency, members.size());
  if (lanes <= 1)
    return run_members(ctx, 0, 1);
  // Worker lanes: each walks every lanes-th member in turn; the step ends when all are done.
  struct Join {
    size_t left;
    Outcome failure = Outcome::success();
    sg4::SemaphorePtr done = sg4::Semaphore::create(0);
  };
  auto join  = std::make_shared<Join>();
  join->left = lanes;
  for (size_t lane = 0; lane < lanes; ++lane) {
    auto work = [join, run_members, own = FlowContext(ctx), lane, lanes]() {
      Outcome o = run_members(own, lane, lanes);
      if (!o.ok() && join->failure.ok())
        join->failure = o;
      if (--join->left == 0)
        join->done->release();
    };
    if (!pool_->submit(work)) {
      join->failure = Outcome::error("overload");
      if (--join->left == 0)
        join->done->release();
    }
  }
  join->done->acquire();
  return join->failure;
}

}  // namespace archsim
