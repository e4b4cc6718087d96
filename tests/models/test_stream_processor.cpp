// The stream_processor model: late events counted within allowed lateness and dropped beyond it
// in the proportions event delays and the watermark bound predict, sliding windows firing once
// per slide, and a crash restored from the checkpoint giving the same window counts as a run
// without the crash, while the sink sees duplicates unless it is idempotent.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const std::string& name)
{
  return comp(r, "job")["metrics"][name].get<double>();
}

// Event delays uniform in [0, 1 s], 1 s tumbling windows, a 200 ms watermark bound, the
// watermark advanced every 10 ms; ideal network and no batching, so a record is read as it is
// produced. Whether an event is late depends on when in its window's second it is read, so the
// measured period is whole windows (1 s to 5 s).
const char* kLate = R"yaml(
archsim: 1
name: sp_late
run: {duration: 5s, warmup: 1s}
components:
  log: {model: kafka, brokers: 1, partitions: 2, replication_factor: 1, min_insync_replicas: 1, linger: 0s}
  job: {model: stream_processor, source: log, window_size: 1s, event_delay: {dist: uniform, min: 0s, max: 1s},
        max_out_of_orderness: 200ms, allowed_lateness: LATENESS, watermark_interval: 10ms, fetch_max_wait: 10ms,
        checkpoint_interval: 0s}
data:
  ads: {keys: 100, value_size: 100B}
workload:
  clicks: {arrivals: poisson, rate: 5000/s, key: ads}
flows:
  clicks: [{produce: log}]
)yaml";

// An event at phase phi before its window's end (uniform in (0, 1 s]) with delay d (uniform in
// [0, 1 s]) is read as it is produced, when the watermark is 200 ms + s behind: s = S + G, S the
// watermark's staleness (uniform in [0, 10 ms]) and G how far the largest event time seen lags
// the present, on the partition that lags most. It is late once its window has ended
// (d > phi + 0.2 + s) and dropped once the window is past its lateness (d > phi + 0.2 +
// lateness + s): P = E[(0.8 - lateness - s)^2] / 2. On one partition receiving lambda events/s,
// P(G > g) = exp(-lambda g^2 / 2) (no event with delay below g - age in the last g seconds); the
// watermark takes the larger G of the two partitions.
double fraction_beyond(double lateness)
{
  const double lambda = 2500, dg = 1e-6;
  double eg = 0, eg2 = 0;
  for (double g = 0; g < 0.2; g += dg) {
    double below = 1 - std::exp(-lambda * g * g / 2);
    double tail  = 1 - below * below;
    eg += tail * dg;
    eg2 += 2 * g * tail * dg;
  }
  double es  = 0.005 + eg;
  double es2 = 0.01 * 0.01 / 3 + 2 * 0.005 * eg + eg2;
  double x   = 0.8 - lateness;
  return (x * x - 2 * x * es + es2) / 2;
}

}  // namespace

TEST_CASE("stream_processor: late events within allowed lateness are counted, later ones dropped, as delays predict")
{
  auto strict  = simulate(with(kLate, "LATENESS", "0s"));
  auto lenient = simulate(with(kLate, "LATENESS", "300ms"));
  double events = metric(strict, "events");
  CHECK(events == Approx(5000 * 4).epsilon(0.03));
  // No lateness: every late event is dropped.
  CHECK(metric(strict, "late_accepted") == 0);
  CHECK(metric(strict, "late_dropped") / events == Approx(fraction_beyond(0)).margin(0.015));
  // 300 ms of lateness: the events up to 300 ms late update their window and fire it again.
  double n = metric(lenient, "events");
  CHECK(metric(lenient, "late_dropped") / n == Approx(fraction_beyond(0.3)).margin(0.015));
  CHECK(metric(lenient, "late_accepted") / n == Approx(fraction_beyond(0) - fraction_beyond(0.3)).margin(0.015));
  CHECK(metric(lenient, "late_updates") == metric(lenient, "late_accepted"));
  // The same events are late in both runs: those dropped in one are counted or dropped in the other.
  CHECK(metric(lenient, "late_accepted") + metric(lenient, "late_dropped") ==
        Approx(metric(strict, "late_dropped")).epsilon(0.02));
}

TEST_CASE("stream_processor: sliding windows fire one result per key per slide, tumbling per size")
{
  const char* yaml = R"yaml(
archsim: 1
name: sp_sliding
run: {duration: 6s, warmup: 0s}
components:
  log: {model: kafka, brokers: 1, partitions: 2, replication_factor: 1, min_insync_replicas: 1}
  job: {model: stream_processor, source: log, window: WINDOW, window_size: 1s, window_slide: 250ms,
        event_delay: 0s, max_out_of_orderness: 100ms, watermark_interval: 20ms, checkpoint_interval: 0s}
data:
  ads: {keys: 10, value_size: 100B}
workload:
  clicks: {arrivals: poisson, rate: 2000/s, key: ads}
flows:
  clicks: [{produce: log}]
)yaml";
  auto tumbling = simulate(with(yaml, "WINDOW", "tumbling"));
  auto sliding  = simulate(with(yaml, "WINDOW", "sliding"));
  // The watermark ends near 5.9 s: windows ending at 1..5 s (tumbling), at 0.25..5.75 s
  // (sliding, the first starting at -0.75 s), each with all 10 keys.
  CHECK(metric(tumbling, "results") == 10 * 5);
  CHECK(metric(sliding, "results") == 10 * 23);
  // Each event is in four sliding windows: the sum of the counts is four times the events in the
  // windows that fired (all those before 4.75 s count four times).
  CHECK(metric(sliding, "events_counted") > 4 * 2000 * 4.75 * 0.95);
  CHECK(metric(tumbling, "late_dropped") == 0);
}

namespace {
// Clicks on 50 ads counted per second by two tasks; results written to a database every 200 ms.
const char* kReplay = R"yaml(
archsim: 1
name: sp_replay
run: {duration: 8s, warmup: 0s}
components:
  log: {model: kafka, brokers: 1, partitions: 4, replication_factor: 1, min_insync_replicas: 1, linger: 1ms}
  job: {model: stream_processor, source: log, parallelism: 2, window_size: 1s,
        event_delay: {dist: uniform, min: 0s, max: 100ms}, max_out_of_orderness: 200ms, watermark_interval: 50ms,
        CHECKPOINTS,
        flush_interval: 200ms, sink_flow: write, IDEMPOTENT, restart_delay: 200ms}
  db: {model: service, replicas: 1, cpu: 100us}
data:
  ads: {keys: 50, value_size: 100B}
workload:
  clicks: {arrivals: poisson, rate: 2000/s, key: ads}
flows:
  clicks: [{produce: log}]
  write: [{call: db}]
FAULTS
)yaml";

nlohmann::json replay(bool crash, const std::string& checkpoints = "checkpoint_interval: 1s", bool idempotent = false)
{
  std::string y = with(kReplay, "CHECKPOINTS", checkpoints);
  y = with(y, "IDEMPOTENT", idempotent ? "idempotent_sink: true" : "idempotent_sink: false");
  y = with(y, "FAULTS", crash ? "faults:\n  - {at: 3.7s, crash: job, replica: 0, for: 300ms}" : "");
  return simulate(y);
}
}  // namespace

TEST_CASE("stream_processor: replay from the checkpoint after a crash gives the same window counts as no crash")
{
  auto clean   = replay(false);
  auto crashed = replay(true);
  CHECK(metric(crashed, "restarts") == 1);
  CHECK(metric(crashed, "records_replayed") > 0);
  CHECK(metric(clean, "records_replayed") == 0);
  CHECK(metric(crashed, "events_counted") == metric(clean, "events_counted"));
  CHECK(metric(crashed, "windows_fired") == metric(clean, "windows_fired"));
  CHECK(metric(crashed, "window_checksum") == metric(clean, "window_checksum"));
  CHECK(metric(clean, "events_counted") > 2000 * 6.5);
  // Without checkpoints the job restarts from where it was with empty state: the counts of the
  // windows open at the crash lose what they had.
  auto lost = replay(true, "checkpoint_interval: 0s");
  CHECK(metric(lost, "events_counted") < metric(clean, "events_counted") - 100);
  CHECK(metric(lost, "window_checksum") != metric(clean, "window_checksum"));
}

TEST_CASE("stream_processor: after a replay the sink receives results again, duplicated unless idempotent")
{
  auto clean      = replay(false);
  auto appending  = replay(true);
  auto idempotent = replay(true, "checkpoint_interval: 1s", true);
  // The checkpoint at 3 s holds window [2 s, 3 s) unfired; it fired at ~3.25 s and was written
  // by ~3.45 s, before the crash at 3.7 s: after the restore it fires and is written again, one
  // result per ad.
  CHECK(metric(clean, "sink_duplicates") == 0);
  CHECK(metric(appending, "sink_duplicates") == 50);
  CHECK(metric(idempotent, "sink_duplicates") == 0);
  CHECK(metric(idempotent, "sink_overwrites") == 50);
  // The appending sink holds those counts twice; the upserting one holds the job's result.
  CHECK(metric(idempotent, "sink_rows") == metric(clean, "sink_rows"));
  CHECK(metric(appending, "sink_rows") > metric(clean, "sink_rows") + 50 * 30);
  CHECK(klass(appending, "write")["throughput"].get<double>() > 0);
}
