// The scheduler model's state without SimGrid: the due-time heap (recurring jobs advance, one-shot
// jobs fire once, earliest first), at-least-once retries with exponential backoff, runs lost with
// their worker, and the missed-schedule policies after an outage.
#include <catch2/catch.hpp>

#include "models/scheduler_queue.h"
#include "sim/core/rng.h"

using namespace archsim;

namespace {
std::vector<Trigger> triggers(const std::string& list) { return *parse_triggers(list); }

SchedulerConfig config(MissedPolicy p = MissedPolicy::FireOnce)
{
  SchedulerConfig c;
  c.missed       = p;
  c.max_attempts = 3;
  c.backoff      = 10;
  c.backoff_max  = 15;
  return c;
}

std::vector<double> dues(const SchedulerCore& s, const std::vector<uint64_t>& ids)
{
  std::vector<double> out;
  for (uint64_t id : ids)
    out.push_back(s.find(id)->due);
  return out;
}
}  // namespace

TEST_CASE("recurring jobs fire at their due times and advance")
{
  SchedulerCore s(config(), triggers("every 30s; */1 * * * *"), 0);
  auto now = s.take_due(0);
  CHECK(dues(s, now) == std::vector<double>{0, 0});  // both due at the start
  CHECK(s.take_due(29.9).empty());
  CHECK(*s.next_due() == 30);
  auto later = s.take_due(60);
  CHECK(dues(s, later) == std::vector<double>{30, 60, 60});
  CHECK(s.pending() == 2);  // one entry per recurring job, whatever has fired
}

TEST_CASE("one-shot delayed jobs fire once, earliest due first, with their key")
{
  SchedulerCore s(config(), {}, 0);
  Rng rng(7);
  std::vector<double> due;
  for (int i = 0; i < 100000; ++i) {
    double d = rng.uniform01() * 1000;
    due.push_back(d);
    s.schedule_once(d, static_cast<uint64_t>(i), true);
  }
  CHECK(s.pending() == 100000);
  std::sort(due.begin(), due.end());
  auto fired = s.take_due(500);
  auto split = std::upper_bound(due.begin(), due.end(), 500.0) - due.begin();
  REQUIRE(fired.size() == static_cast<size_t>(split));
  for (size_t i = 0; i < fired.size(); ++i)
    REQUIRE(s.find(fired[i])->due == due[i]);
  CHECK(s.take_due(500).empty());  // fired once
  CHECK(s.pending() == 100000 - fired.size());
}

TEST_CASE("a failed run is retried with exponential backoff up to max_attempts, then given up")
{
  SchedulerCore s(config(), {}, 0);
  uint64_t id = s.schedule_once(5, 42, true);
  REQUIRE(s.take_due(5) == std::vector<uint64_t>{id});
  REQUIRE(s.start(id, 0, 5)->attempts == 1);
  CHECK(s.finish(id, 1, false, 6) == SchedulerCore::Result::Retry);
  CHECK(*s.next_due() == 16);  // backoff 10 s
  REQUIRE(s.take_due(16) == std::vector<uint64_t>{id});
  REQUIRE(s.start(id, 0, 16)->attempts == 2);
  CHECK(s.finish(id, 2, false, 17) == SchedulerCore::Result::Retry);
  CHECK(*s.next_due() == 32);  // 20 s capped at 15
  REQUIRE(s.take_due(32) == std::vector<uint64_t>{id});
  s.start(id, 0, 32);
  CHECK(s.find(id)->due == 5);  // latency still counts from the original due time
  CHECK(s.finish(id, 3, false, 33) == SchedulerCore::Result::Failed);
  CHECK(!s.find(id));
  CHECK(!s.next_due());
}

TEST_CASE("a run lost with its worker fires again when its lease expires; the old run is stale")
{
  SchedulerCore s(config(), {}, 0);
  uint64_t id = s.schedule_once(1, 0, false);
  s.take_due(1);
  s.start(id, 2, 1);
  CHECK(s.worker_lost(1, 3, 30) == 0);  // another worker
  CHECK(s.worker_lost(2, 3, 30) == 1);
  CHECK(*s.next_due() == 33);
  CHECK(s.finish(id, 1, true, 4) == SchedulerCore::Result::Stale);  // the orphan's answer
  REQUIRE(s.take_due(33) == std::vector<uint64_t>{id});
  s.start(id, 2, 33);  // the same worker host, back again
  CHECK(s.finish(id, 1, true, 34) == SchedulerCore::Result::Stale);
  CHECK(s.finish(id, 2, true, 35) == SchedulerCore::Result::Done);
}

TEST_CASE("missed firings during an outage: fire_all, fire_once or skip")
{
  // Every 10 s; down from 25 s to 61 s: due times 30, 40, 50, 60 are missed.
  auto run = [](MissedPolicy p) {
    SchedulerCore s(config(p), triggers("every 10s"), 0);
    s.take_due(25);  // 0, 10, 20 fired on time
    s.crash();
    auto r = s.recover(61);
    std::vector<double> late = dues(s, r.firings);
    CHECK(*s.next_due() == 70);
    return std::make_pair(late, r.missed);
  };
  auto all = run(MissedPolicy::FireAll);
  CHECK(all.first == std::vector<double>{30, 40, 50, 60});
  CHECK(all.second == 0);
  auto once = run(MissedPolicy::FireOnce);
  CHECK(once.first == std::vector<double>{30});
  CHECK(once.second == 3);
  auto skip = run(MissedPolicy::Skip);
  CHECK(skip.first.empty());
  CHECK(skip.second == 4);
}

TEST_CASE("one-shot jobs due during an outage fire late unless skipped; retries always fire")
{
  for (MissedPolicy p : {MissedPolicy::FireOnce, MissedPolicy::Skip}) {
    SchedulerCore s(config(p), {}, 0);
    uint64_t a = s.schedule_once(10, 0, false);
    uint64_t b = s.schedule_once(5, 0, false);
    s.take_due(5);
    s.start(b, 0, 5);
    s.finish(b, 1, false, 6);  // retry due at 16
    s.crash();
    auto r = s.recover(20);
    if (p == MissedPolicy::Skip) {
      CHECK(r.firings == std::vector<uint64_t>{b});
      CHECK(r.missed == 1);
    } else {
      CHECK(r.firings == std::vector<uint64_t>{a, b});
      CHECK(r.missed == 0);
    }
  }
}

TEST_CASE("a crash of a non-durable scheduler loses its pending one-shots, not its recurring jobs")
{
  SchedulerConfig c = config();
  c.durable         = false;
  SchedulerCore s(c, triggers("every 10s"), 0);
  s.schedule_once(50, 1, true);
  s.schedule_once(60, 2, true);
  CHECK(s.crash() == 2);
  CHECK(s.pending() == 1);
  SchedulerCore durable(config(), triggers("every 10s"), 0);
  durable.schedule_once(50, 1, true);
  CHECK(durable.crash() == 0);
  CHECK(durable.pending() == 2);
}
