// The sql_db model (PostgreSQL-like): a hot row under no locking, pessimistic and optimistic
// locking and SERIALIZABLE; group commit; what a crash loses under synchronous_commit on and
// off; connection-pool exhaustion by long transactions; buffer-pool hit ratio against Che's
// approximation; replication lag from replay load; unique constraints; deadlocks.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "../che_approximation.h"
#include "sim/core/popularity.h"
#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const std::string& name)
{
  const auto& m = comp(r, "db")["metrics"];
  return m.contains(name) ? m[name].get<double>() : 0.0;
}

// Requests whose commit happened but whose answer was still on its way when the run ended.
constexpr double kInFlight = 3;

double ok(const nlohmann::json& r, const std::string& cls) { return klass(r, cls)["ok"].get<double>(); }
double errors(const nlohmann::json& r, const std::string& cls) { return klass(r, cls)["errors"].get<double>(); }

// 20 users in a closed loop increment one row through an app server: read the row, then write
// the value read + 1, in one transaction. STEPS is the transaction's body; RETRY its retry policy.
const char* kHotRow = R"yaml(
archsim: 1
name: hot_row
run: {duration: 3s, warmup: 0s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  app: {model: service, replicas: 1, threads: 64, cores: 8, cpu: {dist: constant, value: 100us}}
  db: {model: sql_db}
data:
  counter: {keys: 1, popularity: uniform, value_size: 100B}
workload:
  bump: {arrivals: closed, users: 20, think: {dist: exponential, mean: 10ms}, key: counter}
flows:
  bump:
    - call: app
    - transaction: db
      ISOLATION
      retries: 100
      backoff: 1ms
      jitter: 1
      steps:
        - query: db
          for_update: FOR_UPDATE
        - update: db
          if_version: IF_VERSION
)yaml";

nlohmann::json hot_row(const std::string& for_update, const std::string& if_version,
                       const std::string& isolation = "isolation: default")
{
  return simulate(
      with(with(with(kHotRow, "FOR_UPDATE", for_update), "IF_VERSION", if_version), "ISOLATION", isolation));
}

}  // namespace

TEST_CASE("sql_db hot row: a plain read then update under READ COMMITTED loses updates, counted from state")
{
  auto r = hot_row("false", "false");
  REQUIRE(metric(r, "commits") > 100);
  CHECK(metric(r, "lost_updates") > 0.5 * metric(r, "commits"));
  CHECK(metric(r, "conflicts") == 0);
  // every commit was acknowledged, yet the counter holds far fewer increments
  CHECK(metric(r, "committed_increments") == Approx(ok(r, "bump")).margin(kInFlight));
  CHECK(metric(r, "value_total") < 0.5 * metric(r, "committed_increments"));
}

TEST_CASE("sql_db hot row: SELECT FOR UPDATE makes writers wait for the lock and loses nothing")
{
  auto r = hot_row("true", "false");
  REQUIRE(metric(r, "commits") > 100);
  CHECK(metric(r, "lost_updates") == 0);
  CHECK(metric(r, "conflicts") == 0);
  CHECK(metric(r, "value_total") == metric(r, "committed_increments"));
  CHECK(metric(r, "value_total") == Approx(ok(r, "bump")).margin(kInFlight));
  // 20 users on one row: nearly every transaction queues behind the others
  CHECK(metric(r, "lock_waits") > 0.9 * metric(r, "commits"));
  // the row is held from the read to the commit's fsync: the row serialises transactions
  double per_txn = 1.0 / (ok(r, "bump") / 3.0);
  CHECK(per_txn > 5.9e-3);
}

TEST_CASE("sql_db hot row: version-checked updates conflict and retry instead, and lose nothing")
{
  auto pessimistic = hot_row("true", "false");
  auto r           = hot_row("false", "true");
  REQUIRE(metric(r, "commits") > 100);
  CHECK(metric(r, "lost_updates") == 0);
  CHECK(metric(r, "conflicts") > metric(r, "commits"));
  CHECK(metric(r, "retries") == metric(r, "conflicts"));  // each conflict re-ran the transaction
  CHECK(errors(r, "bump") == 0);
  CHECK(metric(r, "value_total") == metric(r, "committed_increments"));
  CHECK(metric(r, "value_total") == Approx(ok(r, "bump")).margin(kInFlight));
  // a version-checked update waits only behind an updater that is committing, never through a
  // whole read-modify-write as FOR UPDATE does
  CHECK(metric(r, "lock_wait_time") < 0.2 * metric(pessimistic, "lock_wait_time"));
  CHECK(metric(pessimistic, "retries") == 0);
}

TEST_CASE("sql_db hot row: SERIALIZABLE turns the lost updates into serialization failures that retry")
{
  auto rc = hot_row("false", "false");
  auto r  = hot_row("false", "false", "isolation: serializable");
  REQUIRE(metric(rc, "lost_updates") > 0);
  CHECK(metric(r, "lost_updates") == 0);
  CHECK(metric(r, "serialization_failures") > 0);
  CHECK(metric(r, "retries") == metric(r, "serialization_failures"));
  CHECK(metric(r, "value_total") == metric(r, "committed_increments"));
  CHECK(metric(rc, "serialization_failures") == 0);
}

namespace {
// Autocommit increments of counters spread over many rows (no lock contention to speak of).
const char* kCounters = R"yaml(
archsim: 1
name: counters
run: {duration: 3s, warmup: WARMUP}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  app: {model: service, replicas: 1, threads: 512, cores: 8, cpu: {dist: constant, value: 100us}}
  db: {model: sql_db, max_connections: 500, SYNC}
data:
  counters: {keys: 100K, popularity: uniform, value_size: 100B}
workload:
  bump: {arrivals: poisson, rate: RATE, key: counters}
flows:
  bump:
    - call: app
    - update: db
FAULTS
)yaml";

nlohmann::json counters(const std::string& rate, const std::string& sync, const std::string& faults = "",
                        const std::string& warmup = "1s")
{
  return simulate(with(with(with(with(kCounters, "RATE", rate), "SYNC", sync), "FAULTS", faults), "WARMUP", warmup));
}
}  // namespace

TEST_CASE("sql_db group commit: commits arriving during a flush share the next fsync")
{
  // At 2000 commits/s the WAL is flushed back to back (one 5.9 ms fsync after another), so
  // about 1/5.9ms = 169 fsyncs/s carry all of them; at 20/s each commit has its own.
  auto busy  = counters("2000/s", "synchronous_commit: on");
  auto quiet = counters("20/s", "synchronous_commit: on");
  double measured = 2.0;
  CHECK(metric(busy, "fsyncs") / measured == Approx(1 / 5.9e-3).epsilon(0.05));
  CHECK(metric(busy, "commits_per_fsync") == Approx(2000 * 5.9e-3).epsilon(0.1));
  CHECK(metric(busy, "commits_per_fsync") == Approx(metric(busy, "commits") / metric(busy, "fsyncs")).epsilon(1e-6));
  CHECK(metric(quiet, "commits_per_fsync") == Approx(1.0).margin(0.05));
}

TEST_CASE("sql_db synchronous_commit off: no fsync wait, the WAL writer flushes every wal_writer_delay")
{
  auto on  = counters("200/s", "synchronous_commit: on");
  auto off = counters("200/s", "synchronous_commit: off");
  CHECK(metric(off, "fsyncs") == Approx(2.0 / 0.2).margin(1));
  CHECK(klass(off, "bump")["latency"]["p50"].get<double>() < klass(on, "bump")["latency"]["p50"].get<double>() - 5e-3);
}

TEST_CASE("sql_db loses no committed transaction when the primary crashes under synchronous_commit on")
{
  auto r = counters("2000/s", "synchronous_commit: on", "faults: [{at: 1.55s, crash: db, for: 0.5s}]", "0s");
  REQUIRE(klass(r, "bump")["errors_by_kind"]["unavailable"].get<double>() > 500);  // it did crash
  CHECK(metric(r, "commits_lost") == 0);
  // every acknowledged increment is in the recovered rows, and nothing unacknowledged is
  CHECK(metric(r, "committed_increments") == Approx(ok(r, "bump")).margin(kInFlight));
  CHECK(metric(r, "value_total") == metric(r, "committed_increments"));
}

TEST_CASE("sql_db under synchronous_commit off a crash loses the acknowledged commits not yet flushed")
{
  auto r = counters("2000/s", "synchronous_commit: off", "faults: [{at: 1.55s, crash: db, for: 0.5s}]", "0s");
  double lost = metric(r, "commits_lost");
  CHECK(lost > 0);
  // at most one WAL writer period (plus the fsync in progress) of commits
  CHECK(lost < 2000 * (0.2 + 5.9e-3) * 1.3);
  CHECK(metric(r, "committed_increments") == Approx(ok(r, "bump")).margin(kInFlight));
  CHECK(metric(r, "value_total") == metric(r, "committed_increments") - lost);
}

TEST_CASE("sql_db connection pool: transactions that hold a connection through an app call cap throughput")
{
  // Each transaction keeps its connection while the app spends 50 ms inside it: 10 connections
  // serve at most 10 / 50 ms = 200 transactions/s; 300/s arrive and the rest wait, then time out.
  auto r = simulate(R"yaml(
archsim: 1
name: pool
run: {duration: 3s, warmup: 1s}
components:
  app: {model: service, replicas: 1, threads: 1000, cores: 1000, cpu: {dist: constant, value: 1us}}
  slow: {model: service, replicas: 1, threads: 1000, cores: 1000, cpu: {dist: constant, value: 50ms}}
  db: {model: sql_db, max_connections: 10, pool_timeout: 100ms, fsync: 0s, statement_cpu: {dist: constant, value: 10us}}
data:
  rows: {keys: 100K, popularity: uniform, value_size: 100B}
workload:
  order: {arrivals: poisson, rate: 300/s, key: rows}
flows:
  order:
    - call: app
    - transaction: db
      steps:
        - update: db
        - call: slow
)yaml");
  double txn = 50e-3 + 10e-6 + 2 * 20e-6;  // app work, statement CPU, BEGIN and COMMIT CPU
  CHECK(metric(r, "commits") / 2.0 == Approx(10 / txn).epsilon(0.03));
  CHECK(metric(r, "pool_utilisation") == Approx(1.0).margin(0.03));
  CHECK(metric(r, "pool_timeouts") ==
        Approx(klass(r, "order")["errors_by_kind"]["pool_timeout"].get<double>()).epsilon(0.05));
  CHECK(metric(r, "pool_timeouts") > 0.2 * 300 * 2.0);
}

TEST_CASE("sql_db buffer pool: the hit ratio over real pages matches Che's approximation")
{
  // 8 KB rows: one row per page; 1000 pages of buffers for 10,000 keys under zipf(0.8).
  auto r = simulate(R"yaml(
archsim: 1
name: buffers
run: {duration: 3s, warmup: 1s}
components:
  db: {model: sql_db, shared_buffers: 8192000B}
data:
  items: {keys: 10000, popularity: zipf(0.8), value_size: 8000B}
workload:
  read: {arrivals: poisson, rate: 5000/s, key: items}
flows:
  read: [{query: db}]
)yaml");
  double expected = che_hit_ratio(Popularity::zipf(10000, 0.8), 1000);
  CHECK(metric(r, "buffer_hit_ratio") == Approx(expected).margin(0.02));
  double reads = ok(r, "read");
  CHECK(metric(r, "disk_reads") == Approx(reads * (1 - expected)).epsilon(0.1));
}

namespace {
// Writes replayed on one replica at 1 ms of CPU per row change; reads of the same rows there.
const char* kReplica = R"yaml(
archsim: 1
name: replica
run: {duration: 3s, warmup: 1s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  db: {model: sql_db, read_replicas: 1, replay_cpu: 1ms, fsync: 0s, max_connections: 1000}
data:
  rows: {keys: 100, popularity: uniform, value_size: 100B}
workload:
  write: {arrivals: poisson, rate: RATE, key: rows}
  read: {arrivals: poisson, rate: 1000/s, key: rows}
flows:
  write: [{update: db}]
  read: [{query: db, replica: true}]
)yaml";
}  // namespace

TEST_CASE("sql_db read replicas: replication lag and stale reads grow with the replay load")
{
  auto light = simulate(with(kReplica, "RATE", "100/s"));
  auto heavy = simulate(with(kReplica, "RATE", "900/s"));
  // light: the replay (1 ms) and a transfer; heavy: the one replay process is 90% busy and
  // records queue for it (M/D/1: 0.9 x 1 ms / (2 x 0.1) = 4.5 ms of waiting, in batches).
  CHECK(metric(light, "replication_lag") == Approx(1.1e-3).margin(0.4e-3));
  CHECK(metric(heavy, "replication_lag") > 2.5 * metric(light, "replication_lag"));
  CHECK(metric(heavy, "replication_lag_max") > metric(heavy, "replication_lag"));
  CHECK(metric(heavy, "replica_reads") == Approx(ok(heavy, "read")).margin(kInFlight));
  // a read is stale while a write of its row awaits replay: about rate-per-row x lag
  CHECK(metric(heavy, "stale_reads") > 3 * metric(light, "stale_reads"));
  CHECK(metric(heavy, "stale_reads") < metric(heavy, "replica_reads"));
}

namespace {
// Short codes drawn at random from 1000; PREFILL of them are taken at the start.
const char* kCodes = R"yaml(
archsim: 1
name: codes
run: {duration: 2s, warmup: 0s}
components:
  db: {model: sql_db, prefilled: PREFILL, fsync: 0s}
data:
  codes: {keys: 1000, popularity: uniform, value_size: 100B}
workload:
  shorten: {arrivals: constant, rate: 100/s, key: codes}
flows:
  shorten:
    - insert: db
      key: codes
      unique: UNIQUE
      retries: 20
)yaml";
}  // namespace

TEST_CASE("sql_db unique constraint: random keys collide as often as the share of keys taken, and retry")
{
  auto r = simulate(with(with(kCodes, "PREFILL", "30%"), "UNIQUE", "true"));
  // insert i finds (300 + i) of the 1000 codes taken: expected retries p / (1 - p) each
  double expected = 0;
  for (int i = 0; i < 200; ++i) {
    double p = (300.0 + i) / 1000.0;
    expected += p / (1 - p);
  }
  CHECK(ok(r, "shorten") == Approx(200).margin(kInFlight));
  CHECK(metric(r, "unique_violations") == Approx(expected).epsilon(0.2));
  CHECK(metric(r, "retries") == metric(r, "unique_violations"));
  auto none = simulate(with(with(kCodes, "PREFILL", "0%"), "UNIQUE", "false"));
  CHECK(metric(none, "unique_violations") == 0);
  // without the constraint the collisions become duplicate keys instead
  CHECK(metric(none, "duplicate_keys") == Approx(200.0 * 100 / 1000).margin(12));
}

namespace {
// Transfers between two accounts with 20 ms of app work between the two updates: `ab` updates
// a then b; `other` updates them in the order FIRST, SECOND.
const char* kTransfers = R"yaml(
archsim: 1
name: transfers
run: {duration: 10s, warmup: 0s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  app: {model: service, replicas: 1, threads: 256, cores: 8, cpu: {dist: constant, value: 100us}}
  fraud: {model: service, replicas: 1, threads: 256, cores: 256, cpu: {dist: constant, value: 20ms}}
  db: {model: sql_db, deadlock_timeout: 50ms}
data:
  a: {keys: 1, popularity: uniform, value_size: 100B}
  b: {keys: 1, popularity: uniform, value_size: 100B}
workload:
  ab: {arrivals: poisson, rate: 2.5/s}
  other: {arrivals: poisson, rate: 2.5/s}
flows:
  ab:
    - call: app
    - transaction: db
      retries: 10
      steps: [{update: db, key: a}, {call: fraud}, {update: db, key: b}]
  other:
    - call: app
    - transaction: db
      retries: 10
      steps: [{update: db, key: FIRST}, {call: fraud}, {update: db, key: SECOND}]
)yaml";
}  // namespace

TEST_CASE("sql_db deadlock: locks taken in opposite orders deadlock, are detected after deadlock_timeout and retried")
{
  auto opposite = simulate(with(with(kTransfers, "FIRST", "b"), "SECOND", "a"));
  auto same     = simulate(with(with(kTransfers, "FIRST", "a"), "SECOND", "b"));
  CHECK(metric(opposite, "deadlocks") > 0);
  CHECK(metric(same, "deadlocks") == 0);
  CHECK(metric(same, "lock_waits") > 0);  // the same contention, only without the cycle
  CHECK(metric(opposite, "retries") == metric(opposite, "deadlocks"));
  CHECK(errors(opposite, "ab") + errors(opposite, "other") == 0);
  // a deadlock costs its victim deadlock_timeout (50 ms) of waiting, then a whole retry
  auto worst = [](const nlohmann::json& r) {
    return std::max(klass(r, "ab")["latency"]["max"].get<double>(), klass(r, "other")["latency"]["max"].get<double>());
  };
  CHECK(worst(opposite) > 0.05 + 0.02);
  CHECK(worst(same) < worst(opposite) - 0.02);
  // both transfers committed in full, each adding 1 to both accounts
  double committed = ok(opposite, "ab") + ok(opposite, "other");
  CHECK(metric(opposite, "value_total") == Approx(2 * committed).margin(2 * kInFlight));
}

TEST_CASE("sql_db lock_timeout: a statement gives up when the row stays locked longer than lock_timeout")
{
  // A transaction holds the row for 200 ms twice a second (40% of the time); a poke arriving
  // meanwhile waits for the rest of the hold, uniform in 0..200 ms, and gives up beyond 50 ms:
  // 0.4 x 150/200 = 30% of the pokes time out.
  auto r = simulate(R"yaml(
archsim: 1
name: lock_timeout
run: {duration: 11s, warmup: 1s}
components:
  slow: {model: service, replicas: 1, threads: 10, cores: 10, cpu: {dist: constant, value: 200ms}}
  db: {model: sql_db, lock_timeout: 50ms, fsync: 0s, statement_cpu: {dist: constant, value: 10us}}
data:
  row: {keys: 1, popularity: uniform, value_size: 100B}
workload:
  hold: {arrivals: constant, rate: 2/s, key: row}
  poke: {arrivals: poisson, rate: 50/s, key: row}
flows:
  hold:
    - transaction: db
      steps: [{update: db}, {call: slow}]
  poke: [{update: db}]
)yaml");
  double pokes = klass(r, "poke")["arrived"].get<double>();
  CHECK(metric(r, "lock_timeouts") == Approx(0.3 * pokes).epsilon(0.15));
  CHECK(klass(r, "poke")["errors_by_kind"]["lock_timeout"].get<double>() ==
        Approx(metric(r, "lock_timeouts")).margin(kInFlight));
  CHECK(errors(r, "hold") == 0);
}

TEST_CASE("sql_db guarded decrement: stock never goes below zero and exactly the stock is sold")
{
  auto r = simulate(R"yaml(
archsim: 1
name: stock
run: {duration: 2s, warmup: 0s}
components:
  db: {model: sql_db, initial_value: 100, fsync: 1ms}
data:
  item: {keys: 1, popularity: uniform, value_size: 100B}
workload:
  buy: {arrivals: poisson, rate: 200/s, key: item}
flows:
  buy: [{update: db, by: -1, non_negative: true}]
)yaml");
  REQUIRE(ok(r, "buy") > 300);
  CHECK(metric(r, "value_total") == 0);
  CHECK(metric(r, "committed_increments") == -100);
  CHECK(metric(r, "lost_updates") == 0);
}
