// stream_processor's pure logic: window assignment, watermarks per source partition, keyed
// window state with firing, allowed lateness and drops, and the sink ledger (duplicates after a
// replay, the final table).
#include <catch2/catch.hpp>

#include <algorithm>

#include "models/stream_window.h"

using namespace archsim::stream;

namespace {
constexpr Micros kSec = 1'000'000;
WindowSpec tumbling(Micros size) { return {size, size}; }
}  // namespace

TEST_CASE("stream tumbling windows: each time in exactly one window, boundaries to the next")
{
  WindowSpec w = tumbling(10 * kSec);
  CHECK(w.windows_of(0) == std::vector<Micros>{0});
  CHECK(w.windows_of(9'999'999) == std::vector<Micros>{0});
  CHECK(w.windows_of(10 * kSec) == std::vector<Micros>{10 * kSec});
  CHECK(w.windows_of(-1) == std::vector<Micros>{-10 * kSec});
}

TEST_CASE("stream sliding windows: each time in size/slide windows")
{
  WindowSpec w{10 * kSec, 2 * kSec};
  auto starts = w.windows_of(11 * kSec);
  std::sort(starts.begin(), starts.end());
  CHECK(starts == std::vector<Micros>{2 * kSec, 4 * kSec, 6 * kSec, 8 * kSec, 10 * kSec});
}

TEST_CASE("stream watermark: the lowest over partitions of the largest event time minus the bound")
{
  Watermarks wm(2, 500'000);
  wm.observe(0, 5 * kSec);
  CHECK(wm.current() == Watermarks::kNone);  // partition 1 has seen nothing yet
  wm.observe(1, 3 * kSec);
  CHECK(wm.current() == 2'500'000);
  wm.observe(1, 2 * kSec);  // out of order: the largest stays
  CHECK(wm.current() == 2'500'000);
  wm.observe(1, 9 * kSec);
  CHECK(wm.current() == 4'500'000);
}

TEST_CASE("stream window state: a window fires once the watermark reaches its end, with each key's count")
{
  WindowState s(tumbling(10 * kSec), 0);
  std::vector<Result> out;
  CHECK(s.add(1, 1 * kSec, out) == WindowState::Fate::OnTime);
  s.add(1, 2 * kSec, out);
  s.add(2, 3 * kSec, out);
  s.add(1, 12 * kSec, out);
  s.advance(9 * kSec, out);
  CHECK(out.empty());
  s.advance(10 * kSec, out);
  REQUIRE(out.size() == 2);
  std::sort(out.begin(), out.end(), [](const Result& a, const Result& b) { return a.key < b.key; });
  CHECK(out[0].key == 1);
  CHECK(out[0].count == 2);
  CHECK(out[1].count == 1);
  CHECK(s.entries() == 1);  // no lateness: the fired window is purged
}

TEST_CASE("stream lateness: late events within allowed lateness update and refire, later ones are dropped")
{
  WindowState s(tumbling(10 * kSec), 2 * kSec);
  std::vector<Result> out;
  s.add(7, 5 * kSec, out);
  s.advance(11 * kSec, out);
  REQUIRE(out.size() == 1);
  out.clear();
  CHECK(s.add(7, 6 * kSec, out) == WindowState::Fate::Late);
  REQUIRE(out.size() == 1);
  CHECK(out[0].count == 2);
  CHECK(out[0].late_update);
  s.advance(12 * kSec, out);  // end + lateness reached: purged
  CHECK(s.entries() == 0);
  out.clear();
  CHECK(s.add(7, 7 * kSec, out) == WindowState::Fate::Dropped);
  CHECK(out.empty());
}

TEST_CASE("stream lateness: an event is dropped only if every window it belongs to is purged")
{
  WindowState s({10 * kSec, 5 * kSec}, 0);
  std::vector<Result> out;
  s.add(1, 20 * kSec, out);
  s.advance(17 * kSec, out);
  // 12 s is in [5, 15) (purged) and [10, 20) (open): counted, on time for the open one.
  CHECK(s.add(1, 12 * kSec, out) == WindowState::Fate::OnTime);
  CHECK(s.add(1, 9 * kSec, out) == WindowState::Fate::Dropped);  // [0,10) and [5,15): both purged
}

TEST_CASE("stream sink ledger: a repeat since the last snapshot is a duplicate, the table keeps the latest")
{
  SinkLedger l;
  Result a{1, 0, 5, false};
  CHECK_FALSE(l.deliver(a, 0));
  CHECK(l.deliver(a, 0));  // replayed after a restore
  Result update{1, 0, 6, true};
  CHECK_FALSE(l.deliver(update, 0));  // a late update is not a duplicate
  CHECK(l.counted() == 6);
  CHECK(l.appended_rows() == 16);
  CHECK(l.entries() == 1);
  // Snapshot 1 taken after these deliveries and completed: they cannot repeat any more.
  l.checkpoint_completed(1, Watermarks::kNone, 0);
  CHECK_FALSE(l.deliver(a, 1));
}

TEST_CASE("stream sink ledger: deliveries after a snapshot was taken stay remembered when it completes")
{
  SinkLedger l;
  Result a{1, 0, 5, false};
  l.deliver(a, 1);  // snapshot 1 was taken before this delivery
  l.checkpoint_completed(1, Watermarks::kNone, 0);
  CHECK(l.deliver(a, 1));
}

TEST_CASE("stream sink ledger: the checksum depends on the results, not their order, and survives folding")
{
  SinkLedger x, y;
  std::vector<Result> rs{{1, 0, 3, false}, {2, 0, 4, false}, {1, 10 * kSec, 1, false}};
  for (const auto& r : rs)
    x.deliver(r, 0);
  for (auto it = rs.rbegin(); it != rs.rend(); ++it)
    y.deliver(*it, 0);
  CHECK(x.checksum() == y.checksum());
  uint64_t before = x.checksum();
  x.checkpoint_completed(1, 30 * kSec, 10 * kSec);  // every window folds
  CHECK(x.checksum() == before);
  CHECK(x.counted() == 8);
  CHECK(x.entries() == 3);
  SinkLedger z;
  z.deliver({1, 0, 3, false}, 0);
  z.deliver({2, 0, 5, false}, 0);  // a different count
  z.deliver({1, 10 * kSec, 1, false}, 0);
  CHECK(z.checksum() != before);
}
