// sql_db: a PostgreSQL-like relational database: a primary and optional streaming read replicas.
//
// Keeps: a connection pool per host (`max_connections`) with a FIFO wait queue and a give-up
// time; a connection is held for one statement (autocommit) or for a whole transaction block,
// the client's round trips inside it included, so long transactions exhaust the pool. Each
// statement costs CPU (a distribution, plus a cost per extra row) on the host's cores and reads
// the pages it touches through a buffer pool (`shared_buffers`, a real LRU cache of 8 KB page ids
// derived from the table and key), so a miss is a random read on a disk of limited parallelism
// and the hit ratio comes out of the run. Rows are real state: existence, a version and an
// integer value per row (prefilled rows need no memory until written). Exclusive row locks
// (UPDATE, DELETE, SELECT ... FOR UPDATE, unique-key INSERT) held until the transaction ends,
// FIFO waiters, `lock_timeout`, and deadlock detection on the wait-for graph after
// `deadlock_timeout`. READ COMMITTED (each statement sees the latest commit; a read-modify-write
// done as a plain read then an update loses updates, counted from state), REPEATABLE READ
// (first updater wins) and SERIALIZABLE (also fails a commit whose reads were changed by a
// concurrent commit); version-checked updates (optimistic locking) fail with `conflict`; unique
// constraints. Commits go through a write-ahead log: a flush (one fsync) covers every commit
// record inserted before it started, so concurrent commits share fsyncs (group commit);
// synchronous_commit on waits for the flush before the commit is visible and acknowledged, off
// acknowledges at once and a WAL writer flushes every `wal_writer_delay`; crash() loses exactly
// the acknowledged commits that were not flushed (none when on) and aborts open transactions.
// Flushed WAL is streamed to each replica (a real transfer) and replayed by one process per
// replica, so replication lag comes out of load; replica reads see the replica's replayed
// version and stale reads are counted. Pure logic: models/sql_db_{rows,locks,wal}.h.
// Abstracts away: SQL text, plans and indexes (a statement touches its rows' heap pages; B-tree
// inner pages are taken as cached), MVCC snapshots of old versions (REPEATABLE READ and
// SERIALIZABLE read the latest version and rely on their conflict checks; SSI is simplified to
// read-write conflicts on rows read, so it aborts more often than PostgreSQL), dirty-page
// writes, checkpoints and vacuum, WAL bandwidth (a flush costs one fsync whatever its size),
// shared/key-share locks, failover (a replica never becomes primary), connection set-up.
#include "models/sql_db.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "models/sql_db_locks.h"
#include "models/sql_db_rows.h"
#include "models/sql_db_wal.h"
#include "sim/core/hash_ring.h"
#include "sim/core/key_cache.h"
#include "sim/engine/key_values.h"
#include "sim/engine/runtime.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

const ModelSpec& sql_db_spec()
{
  static const ModelSpec spec = [] {
    ModelSpec s;
    s.name    = "sql_db";
    s.summary = "PostgreSQL-like database: connection pool, row locks, isolation levels, WAL with group commit, "
                "streaming read replicas";
    s.keeps = "connection pool with a wait queue, held for a statement or a whole transaction; CPU per statement and "
              "per row; buffer pool over real page ids (misses read a disk of limited parallelism); rows with "
              "versions and integer values; exclusive row locks with FIFO waiters, lock_timeout and deadlock "
              "detection; READ COMMITTED (lost updates counted), REPEATABLE READ, SERIALIZABLE (read-write "
              "conflicts); optimistic version checks; unique constraints; WAL with group commit, synchronous_commit "
              "on/off and what a crash loses; asynchronous streaming replicas with one replay process, lag and "
              "stale reads";
    s.abstracts = "SQL text, plans and index pages, MVCC old versions (snapshot levels read the latest version and "
                  "rely on conflict checks; SSI simplified), dirty-page writes, checkpoints, vacuum, WAL bandwidth, "
                  "shared locks, failover, connection set-up";
    s.params = {
        param::count("read_replicas", "0",
                     "Streaming replicas (one host each) fed asynchronously from the primary's flushed WAL; "
                     "`query` with `replica: true` reads there")
            .range(0, 15)
            .cite("reference-figures.md s5: streaming replication is asynchronous by default"),
        param::count("cores", "8", "CPU cores per host (primary and each replica)")
            .range(1, 1024)
            .cite("a sizing choice; reference-figures.md s5 pool heuristic: active connections ~ 2 x cores + "
                  "spindles"),
        param::count("max_connections", "100",
                     "Connections per host; a statement or a transaction block holds one, others wait in FIFO "
                     "order")
            .range(1, 100000)
            .cite("reference-figures.md s5: max_connections default 100"),
        param::quantity("pool_timeout", Unit::Duration, "30s",
                        "Longest wait for a connection before the request fails with 'pool_timeout' (0 = wait "
                        "forever)")
            .range(0, 1e6)
            .cite("HikariCP connectionTimeout default 30 s (the client-side pool in front of PostgreSQL)"),
        param::distribution("statement_cpu", Unit::Duration, "{dist: lognormal, mean: 150us, p99: 500us}",
                            "CPU per statement (parse, plan, execute one row), buffer-pool hits included")
            .cite("reference-figures.md s5: simple PK SELECT / single-row UPDATE server time ~0.05-0.5 ms (cached, "
                  "no contention; unverified)"),
        param::quantity("row_cpu", Unit::Duration, "2us", "CPU per extra row a statement touches (range queries)")
            .range(0, 1)
            .cite("reference-figures.md s12: ~20 main-memory references (100 ns each) to fetch and deform a "
                  "tuple"),
        param::quantity("commit_cpu", Unit::Duration, "20us", "CPU of BEGIN, and of COMMIT or ROLLBACK")
            .range(0, 1)
            .cite("a choice: a statement without a plan or rows, ~1/7 of statement_cpu"),
        param::quantity("shared_buffers", Unit::Size, "128MB",
                        "Buffer pool per host: 8 KB pages of the rows touched, LRU; a miss reads the disk")
            .range(8192, 1e15)
            .cite("PostgreSQL docs, Resource Consumption: shared_buffers default 128MB"),
        param::flag("warm", true,
                    "Start with the pages of the most popular keys of every key space in the buffer pool, as at "
                    "steady state; false = cold (as after a restart)"),
        param::quantity("disk_read", Unit::Duration, "150us", "One random page read from the data disk")
            .range(0, 10)
            .cite("reference-figures.md s12: read 4 KB randomly from SSD 150 us"),
        param::count("disk_parallelism", "32", "Page reads the data disk serves at once; more wait")
            .range(1, 100000)
            .cite("SATA NCQ queue depth 32; an NVMe device takes more"),
        param::quantity("fsync", Unit::Duration, "5.9ms", "One WAL flush (fsync); commits that arrive during it "
                                                           "share the next one")
            .range(0, 10)
            .cite("reference-figures.md s7: 5.9 ms average fsync on a consumer SSD (5-15 ms)"),
        param::choice("synchronous_commit", {"on", "off"}, "on",
                      "on: a commit waits for its WAL flush; off: acknowledged at once, flushed by the WAL writer "
                      "within wal_writer_delay, and a crash loses what was not flushed")
            .cite("reference-figures.md s5: synchronous_commit trades latency for durability; PostgreSQL default "
                  "on"),
        param::quantity("wal_writer_delay", Unit::Duration, "200ms",
                        "Period of the WAL writer that flushes asynchronous commits")
            .range(1e-3, 10)
            .cite("PostgreSQL docs, WAL configuration: wal_writer_delay default 200ms; an asynchronous commit "
                  "may be lost for up to three times it"),
        param::choice("isolation", {"read_committed", "repeatable_read", "serializable"}, "read_committed",
                      "Default isolation level (a transaction step may override it)")
            .cite("PostgreSQL docs, Transaction Isolation: READ COMMITTED is the default"),
        param::quantity("lock_timeout", Unit::Duration, "0s",
                        "Longest wait for a row lock before the statement fails with 'lock_timeout' (0 = forever)")
            .range(0, 1e6)
            .cite("PostgreSQL docs, Client Connection Defaults: lock_timeout default 0 (disabled)"),
        param::quantity("deadlock_timeout", Unit::Duration, "1s",
                        "Wait for a lock after which the waiter checks the wait-for graph for a deadlock (then "
                        "again at every multiple); the transaction in a cycle that checks aborts with 'deadlock'")
            .range(1e-3, 1e6)
            .cite("PostgreSQL docs, Lock Management: deadlock_timeout default 1s"),
        param::quantity("prefilled", Unit::Fraction, "100%",
                        "Share of each table's keys that exist at the start (chosen by a hash of the key); a "
                        "table's keys are those of the key space it is named after")
            .range(0, 1),
        param::text("empty_tables", "",
                    "Tables (key spaces) that start with no rows whatever `prefilled` says, separated by commas: "
                    "tables that only grow by inserts (orders, histories)"),
        param::quantity("initial_value", Unit::Number, "0",
                        "Value of the integer column of prefilled rows (a stock, a seat count)")
            .range(-1e15, 1e15)
            .whole(),
        param::quantity("replay_cpu", Unit::Duration, "20us",
                        "Replica CPU to replay one row change of the WAL (one replay process per replica)")
            .range(0, 1)
            .cite("a choice: ~ a single-row write's execute cost without parse and plan (statement_cpu / 7)"),
    };
    s.metrics = {
        {"utilisation", Unit::Fraction, "Busy cores / cores, per host (per_replica: primary first)"},
        {"pool_utilisation", Unit::Fraction, "Connections in use / max_connections, per host"},
        {"pool_wait_length", Unit::Number, "Mean requests waiting for a connection (all hosts)"},
        {"disk_utilisation", Unit::Fraction, "Page reads in progress / disk_parallelism, per host"},
        {"pool_waits", Unit::Count, "Requests that had to wait for a connection"},
        {"pool_wait_time", Unit::Duration, "Mean wait of the requests that waited for a connection"},
        {"pool_timeouts", Unit::Count, "Requests that gave up waiting for a connection (error pool_timeout)"},
        {"lock_waits", Unit::Count, "Row lock requests that had to wait"},
        {"lock_wait_time", Unit::Duration, "Mean wait of the row lock requests that waited"},
        {"lock_timeouts", Unit::Count, "Lock waits that reached lock_timeout (error lock_timeout)"},
        {"deadlocks", Unit::Count, "Transactions aborted in a wait-for cycle (error deadlock)"},
        {"serialization_failures", Unit::Count,
         "Statements or commits aborted because rows changed since the snapshot (error serialization_failure)"},
        {"conflicts", Unit::Count, "Version-checked updates refused: the row changed since it was read (error "
                                   "conflict)"},
        {"lost_updates", Unit::Count,
         "Committed writes computed from a read of a version that was no longer the latest at commit"},
        {"unique_violations", Unit::Count, "Inserts refused by a unique constraint (error unique_violation)"},
        {"duplicate_keys", Unit::Count, "Inserts without a unique constraint of a key that already existed"},
        {"commits", Unit::Count, "Committed transactions that wrote (commit records in the WAL)"},
        {"rollbacks", Unit::Count, "Transactions rolled back (errors, conflicts, failures)"},
        {"fsyncs", Unit::Count, "WAL flushes (one fsync each)"},
        {"commits_per_fsync", Unit::Number, "commits / fsyncs: the group-commit batch"},
        {"commits_lost", Unit::Count, "Acknowledged commits lost by a crash (not yet flushed)"},
        {"buffer_hit_ratio", Unit::Fraction, "Page lookups found in the buffer pool / all lookups (all hosts)"},
        {"disk_reads", Unit::Count, "Pages read from disk (buffer-pool misses)"},
        {"replica_reads", Unit::Count, "Queries served by a replica"},
        {"stale_reads", Unit::Count, "Replica queries that saw a row version behind the primary's"},
        {"replication_lag", Unit::Duration, "Mean time from a commit on the primary to its replay on a replica"},
        {"replication_lag_max", Unit::Duration, "Longest such time"},
        {"value_total", Unit::Number,
         "End of run: sum of the integer values of the rows written during the run (for checking counters)"},
        {"committed_increments", Unit::Number,
         "Whole run: sum of `by` over acknowledged updates; value_total falls short of it by what lost updates "
         "and lost commits took"},
    };
    ParamSpec table = param::text("table", "", "Table the statement acts on (default: the key space's name)");
    s.operations = {
        {"query",
         "SELECT the key's row (or `rows` consecutive keys from it)",
         {param::count("rows", "1", "Rows read from the key on (a range scan)").range(1, 1000000),
          param::flag("for_update", false,
                      "SELECT ... FOR UPDATE: lock the rows until the transaction ends (the statement's end in "
                      "autocommit)"),
          param::flag("replica", false, "Read on a replica (round robin; outside transactions only)"), table},
         {"found", "absent"}},
        {"insert",
         "INSERT the key's row",
         {param::flag("unique", true, "The key is under a unique constraint (a primary key)"),
          param::quantity("value", Unit::Number, "0", "Value of the integer column").range(-1e15, 1e15).whole(),
          table},
         {}},
        {"update",
         "UPDATE the key's row, adding `by` to its integer column; after a read of the row by this request the "
         "application writes the read value + by (a read-modify-write)",
         {param::quantity("by", Unit::Number, "1", "Amount added (negative to take away)").range(-1e15, 1e15).whole(),
          param::flag("if_version", false,
                      "Optimistic locking: only if the row's version is still the one this request read (else "
                      "error conflict)"),
          param::flag("non_negative", false,
                      "Only if the value stays >= 0 (WHERE value + by >= 0), else outcome insufficient"),
          table},
         {"found", "absent", "insufficient"}},
        {"delete", "DELETE the key's row", {table}, {"found", "absent"}},
        {"transaction",
         "BEGIN; the steps (statements sent from the caller, one round trip each); COMMIT. Any failed step rolls "
         "back; retries on this step re-run the whole transaction",
         {param::choice("isolation", {"default", "read_committed", "repeatable_read", "serializable"}, "default",
                        "Isolation level of this transaction (default: the component's)")},
         {},
         true},
    };
    s.placed = true;
    return s;
  }();
  return spec;
}

Placement sql_db_placement(const ParamValues& p)
{
  return {1 + static_cast<size_t>(p.integer("read_replicas")), static_cast<int>(p.integer("cores"))};
}

namespace {

constexpr double kPageBytes       = 8192;
constexpr double kTupleOverhead   = 28;   // 23 B tuple header + 4 B line pointer, aligned
constexpr double kStatementBytes  = 150;  // Bind/Execute of a prepared statement with its parameters
constexpr double kReplyBytes      = 60;   // CommandComplete + ReadyForQuery
constexpr double kWalRecordBytes  = 50;   // a WAL record's header (per row change, and the commit record)
constexpr uint64_t kPrefillSalt   = 0x707265666c6cULL;
constexpr uint64_t kPageSalt      = 0x70616765ULL;
constexpr size_t kPrimary         = 0;
constexpr size_t kWarmRankLimit   = 20'000'000;

// The open transaction of a request, and what the request read (kept across its steps).
struct OpenTxn {
  SqlTxn txn;
  uint64_t epoch;  // the primary's life it began in: a crash ends it
  bool aborted = false;
  std::string reason;
  double wal_bytes = kWalRecordBytes;
  OpenTxn(uint64_t id, Isolation iso, uint64_t e) : txn(id, iso), epoch(e) {}
};

// A request's state at this database. What it read is shared by every copy of its context; the
// open transaction belongs to the context that runs the block (a new Session is set on that
// context for the block's duration), so an attempt abandoned by a timeout keeps its transaction
// to itself and the retry begins a new one.
struct Session {
  using Reads = std::unordered_map<uint64_t, SqlReadMark>;  // row -> what the request last read of it
  std::shared_ptr<Reads> reads = std::make_shared<Reads>();
  std::shared_ptr<OpenTxn> txn;  // the transaction block being run
};

struct RowRef {
  uint64_t row;
  bool initially;
  uint64_t page;
};

// WAL on its way to a replica, in commit order.
struct Shipment {
  double bytes;
  double committed_at;
  std::shared_ptr<const std::vector<SqlRowChange>> changes;
};

class SqlDb : public Component {
public:
  SqlDb(Runtime& rt, const ComponentSpec& spec)
      : Component(rt, spec)
      , cpu_(*metrics_, hosts_)
      , pool_level_(metrics_->declare_level("pool", static_cast<double>(spec.params.integer("max_connections"))))
      , pool_wait_level_(metrics_->declare_level("pool_wait", 0))
      , disk_level_(metrics_->declare_level("disk", static_cast<double>(spec.params.integer("disk_parallelism"))))
      , pool_timeout_(spec.params.number("pool_timeout"))
      , statement_cpu_(spec.params.dist("statement_cpu"))
      , row_cpu_(spec.params.number("row_cpu"))
      , commit_cpu_(spec.params.number("commit_cpu"))
      , disk_read_(spec.params.number("disk_read"))
      , fsync_(spec.params.number("fsync"))
      , sync_commit_(spec.params.text("synchronous_commit") == "on")
      , wal_writer_delay_(spec.params.number("wal_writer_delay"))
      , isolation_(isolation_of(spec.params.text("isolation")))
      , lock_timeout_(spec.params.number("lock_timeout"))
      , deadlock_timeout_(spec.params.number("deadlock_timeout"))
      , prefilled_(spec.params.number("prefilled"))
      , replay_cpu_(spec.params.number("replay_cpu"))
      , rows_(static_cast<int64_t>(spec.params.number("initial_value")))
      , rng_cpu_(rt.stream(spec.name, "statement_cpu"))
  {
    auto max_conn = static_cast<unsigned>(spec.params.integer("max_connections"));
    auto disk_par = static_cast<unsigned>(spec.params.integer("disk_parallelism"));
    for (size_t h = 0; h < replicas(); ++h) {
      connections_.push_back(sg4::Semaphore::create(max_conn));
      disks_.push_back(sg4::Semaphore::create(disk_par));
      buffers_.emplace_back(spec.params.number("shared_buffers"), Eviction::Lru);
    }
    for (size_t r = 1; r < replicas(); ++r) {
      replica_rows_.emplace_back(static_cast<int64_t>(spec.params.number("initial_value")));
      streams_.emplace_back();
    }
    read_empty_tables(spec.params.text("empty_tables"));
    if (spec.params.flag("warm"))
      warm_up();
    if (!sync_commit_)
      start_wal_writer();
    for (size_t r = 1; r < replicas(); ++r)
      start_replay(r);
  }

  // Every statement and transaction goes to the primary's address; replica reads move to a
  // replica inside serve() (the step is not known when the replica is chosen).
  size_t choose_replica(const FlowContext&) override { return kPrimary; }

  double request_bytes(const FlowContext& ctx, const Step& step) override
  {
    if (step.op == "insert" || step.op == "update")
      return kStatementBytes + value_bytes(ctx);
    return kStatementBytes;
  }

  Outcome serve(FlowContext& ctx, const Step& step, size_t, const Body& body) override
  {
    Session& s = session(ctx);
    if (step.op == "transaction")
      return transaction(ctx, step, s, body);
    if (s.txn)
      return statement(ctx, step, s, *s.txn, kPrimary);
    if (step.op == "query" && step.args.flag("replica") && replicas() > 1)
      return replica_query(ctx, step, s);
    return autocommit(ctx, step, s);
  }

  void crash(size_t r) override
  {
    double now = rt_.now();
    if (r == kPrimary) {
      ++epoch_;
      SqlWal::Loss loss = wal_.crash(rows_);
      if (loss.acknowledged > 0)
        metrics_->count(now, "commits_lost", static_cast<double>(loss.acknowledged));
      // Every backend dies: locks and waits vanish; the waiters wake to find their epoch over.
      locks_.clear();
      for (auto& [txn, sem] : lock_waiters_)
        sem->release();
      wake_flush_waiters();
    }
    buffers_[r].clear();  // shared memory does not survive the restart
    Component::crash(r);
  }

  void finish() override
  {
    if (page_lookups_ > 0)
      metrics_->set_value("buffer_hit_ratio", page_hits_ / page_lookups_);
    if (lock_wait_n_ > 0)
      metrics_->set_value("lock_wait_time", lock_wait_sum_ / lock_wait_n_);
    if (pool_wait_n_ > 0)
      metrics_->set_value("pool_wait_time", pool_wait_sum_ / pool_wait_n_);
    if (lag_n_ > 0) {
      metrics_->set_value("replication_lag", lag_sum_ / lag_n_);
      metrics_->set_value("replication_lag_max", lag_max_);
    }
    if (fsyncs_ > 0)
      metrics_->set_value("commits_per_fsync", commits_ / fsyncs_);
    metrics_->set_value("value_total", static_cast<double>(rows_.value_total()));
    metrics_->set_value("committed_increments", static_cast<double>(increments_));
  }

private:
  bool measured(double t) const { return t >= rt_.scenario().run.warmup; }

  std::shared_ptr<Session> session_ptr(FlowContext& ctx)
  {
    auto p = ctx.session(this);
    if (!p) {
      p = std::make_shared<Session>();
      ctx.set_session(this, p);
    }
    return std::static_pointer_cast<Session>(p);
  }
  Session& session(FlowContext& ctx) { return *session_ptr(ctx); }

  // --- rows, tables and pages --------------------------------------------------------------

  struct TableInfo {
    uint64_t keys;
    uint64_t rows_per_page;
    double prefilled;  // 1, or 0 for an empty table
  };

  TableInfo table_info(const std::string& table, const KeySpaceSpec* fallback)
  {
    auto it = tables_.find(table);
    if (it != tables_.end())
      return it->second;
    const KeySpaceSpec* space = rt_.scenario().key_space(table);
    if (!space)
      space = fallback;
    TableInfo info{1, 1, 1.0};
    if (empty_tables_.count(table))
      info.prefilled = 0;
    if (space) {
      info.keys        = space->keys;
      double row_bytes = (space->value_size ? space->value_size->mean() : 1000) + kTupleOverhead;
      info.rows_per_page = static_cast<uint64_t>(std::max(1.0, std::floor(kPageBytes / row_bytes)));
    }
    tables_.emplace(table, info);
    return info;
  }

  RowRef ref(const std::string& table, const TableInfo& info, uint64_t key) const
  {
    double u = (static_cast<double>(mix64(key ^ kPrefillSalt ^ item_id(table, 0)) >> 11) + 0.5) / 9007199254740992.0;
    bool initially = key < info.keys && u < prefilled_ * info.prefilled;
    return {item_id(table, key), initially, item_id(table, key / info.rows_per_page) ^ kPageSalt};
  }

  std::vector<RowRef> refs(const FlowContext& ctx, const Step& step)
  {
    std::string table = step.args.has("table") ? step.args.text("table") : "";
    if (table.empty() && ctx.key_space)
      table = ctx.key_space->name;
    TableInfo info = table_info(table, ctx.key_space);
    uint64_t key   = ctx.has_key ? ctx.key : 0;
    uint64_t n     = step.op == "query" ? static_cast<uint64_t>(step.args.integer("rows")) : 1;
    std::vector<RowRef> out;
    out.reserve(n);
    for (uint64_t k = 0; k < n; ++k)
      out.push_back(ref(table, info, key + k));
    return out;
  }

  void read_empty_tables(const std::string& text)
  {
    std::string name;
    auto flush = [&]() {
      if (name.empty())
        return;
      if (!rt_.scenario().key_space(name))
        throw std::runtime_error(spec_.name + ".empty_tables: '" + name + "' is not a key space under data:");
      empty_tables_.insert(name);
      name.clear();
    };
    for (char c : text) {
      if (c == ',' || c == ' ')
        flush();
      else
        name += c;
    }
    flush();
  }

  void warm_up()
  {
    const auto& spaces = rt_.scenario().data;
    if (spaces.empty())
      return;
    std::vector<TableInfo> infos;
    for (const auto& sp : spaces)
      infos.push_back(table_info(sp.name, &sp));
    KeyCache& first = buffers_[0];
    for (uint64_t rank = 0; rank < kWarmRankLimit; ++rank) {
      bool any = false;
      for (size_t i = 0; i < spaces.size(); ++i) {
        if (rank >= spaces[i].keys || infos[i].prefilled == 0)
          continue;  // past the key space, or a table with no rows yet
        any         = true;
        uint64_t pg = ref(spaces[i].name, infos[i], rank).page;
        if (first.contains(pg, 0))
          continue;
        if (first.used_bytes() + kPageBytes > first.capacity_bytes())
          return;
        for (auto& b : buffers_)
          b.put(pg, kPageBytes, 0);
      }
      if (!any)
        return;
    }
  }

  // --- resources ---------------------------------------------------------------------------

  // Waits for a connection; false when pool_timeout passed first.
  bool connect(size_t h)
  {
    double start = rt_.now();
    if (!connections_[h]->would_block()) {
      connections_[h]->acquire();
    } else {
      metrics_->count(start, "pool_waits");
      pool_wait_level_.add(h, start, 1);
      bool timed_out = false;
      if (pool_timeout_ > 0)
        timed_out = connections_[h]->acquire_timeout(pool_timeout_);
      else
        connections_[h]->acquire();
      double now = rt_.now();
      pool_wait_level_.add(h, now, -1);
      if (measured(start)) {
        pool_wait_sum_ += now - start;
        pool_wait_n_ += 1;
      }
      if (timed_out) {
        metrics_->count(now, "pool_timeouts");
        return false;
      }
    }
    pool_level_.add(h, rt_.now(), 1);
    return true;
  }

  void disconnect(size_t h)
  {
    pool_level_.add(h, rt_.now(), -1);
    connections_[h]->release();
  }

  // CPU of the statement, then its pages through the buffer pool (a miss reads the disk).
  void execute(size_t h, const std::vector<RowRef>& rows)
  {
    cpu_.work(h, statement_cpu_.sample(rng_cpu_) + row_cpu_ * static_cast<double>(rows.size() - 1));
    uint64_t last = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      uint64_t pg = rows[i].page;
      if (i > 0 && pg == last)
        continue;  // consecutive rows on the page just read
      last       = pg;
      double now = rt_.now();
      bool hit   = buffers_[h].get(pg, now);
      if (measured(now)) {
        page_lookups_ += 1;
        page_hits_ += hit ? 1 : 0;
      }
      if (hit)
        continue;
      metrics_->count(now, "disk_reads");
      disks_[h]->acquire();
      disk_level_.add(h, rt_.now(), 1);
      sg4::this_actor::sleep_for(disk_read_);
      disk_level_.add(h, rt_.now(), -1);
      disks_[h]->release();
      buffers_[h].put(pg, kPageBytes, rt_.now());
    }
  }

  // --- row locks ---------------------------------------------------------------------------

  // Empty when the lock is held; else the error (lock_timeout, deadlock, unavailable).
  std::string lock(OpenTxn& t, uint64_t row)
  {
    uint64_t id = t.txn.id();
    if (locks_.acquire(row, id)) {
      return "";
    }
    double start = rt_.now();
    metrics_->count(start, "lock_waits");
    auto sem           = sg4::Semaphore::create(0);
    lock_waiters_[id]  = sem;
    double next_check  = start + deadlock_timeout_;
    std::string error;
    while (true) {
      double until = next_check;
      if (lock_timeout_ > 0)
        until = std::min(until, start + lock_timeout_);
      bool timed_out = sem->acquire_timeout(std::max(until - rt_.now(), 1e-9));
      double now     = rt_.now();
      if (t.epoch != epoch_) {
        error = "unavailable";
        break;
      }
      if (!timed_out || locks_.holds(row, id))
        break;
      if (lock_timeout_ > 0 && now >= start + lock_timeout_ - 1e-12) {
        locks_.cancel(row, id);
        metrics_->count(now, "lock_timeouts");
        error = "lock_timeout";
        break;
      }
      if (now >= next_check - 1e-12) {
        if (locks_.in_cycle(id)) {
          locks_.cancel(row, id);
          metrics_->count(now, "deadlocks");
          error = "deadlock";
          break;
        }
        next_check += deadlock_timeout_;
      }
    }
    lock_waiters_.erase(id);
    if (measured(start)) {
      lock_wait_sum_ += rt_.now() - start;
      lock_wait_n_ += 1;
    }
    return error;
  }

  void release_locks(OpenTxn& t)
  {
    if (t.epoch != epoch_)
      return;  // the crash took them
    for (const auto& [row, next] : locks_.release_all(t.txn.id())) {
      auto it = lock_waiters_.find(next);
      if (it != lock_waiters_.end())
        it->second->release();
    }
  }

  // --- statements --------------------------------------------------------------------------

  Outcome fail(OpenTxn& t, const std::string& tag)
  {
    if (!t.aborted) {
      t.aborted = true;
      t.reason  = tag;
    }
    return Outcome::error(tag);
  }

  Outcome failed(OpenTxn& t, SqlResult r)
  {
    double now = rt_.now();
    switch (r) {
      case SqlResult::Conflict: metrics_->count(now, "conflicts"); return fail(t, "conflict");
      case SqlResult::UniqueViolation: metrics_->count(now, "unique_violations"); return fail(t, "unique_violation");
      case SqlResult::SerializationFailure:
        metrics_->count(now, "serialization_failures");
        return fail(t, "serialization_failure");
      default: return fail(t, "error");
    }
  }

  static Outcome reply(const std::string& tag, double bytes = kReplyBytes)
  {
    Outcome o        = Outcome::success(tag);
    o.response_bytes = bytes;
    return o;
  }

  // One statement of transaction `t` on host h (the primary), its connection already held.
  Outcome statement(FlowContext& ctx, const Step& step, Session& s, OpenTxn& t, size_t h)
  {
    if (t.epoch != epoch_)
      return fail(t, "unavailable");
    if (t.aborted)
      return Outcome::error("transaction_aborted");  // PostgreSQL: commands ignored until ROLLBACK
    t.txn.begin_statement(rows_);
    std::vector<RowRef> rs = refs(ctx, step);
    execute(h, rs);
    if (t.epoch != epoch_)
      return fail(t, "unavailable");
    double vbytes = value_bytes(ctx);
    if (step.op == "query") {
      bool for_update = step.args.flag("for_update");
      size_t found    = 0;
      for (const RowRef& r : rs) {
        SqlRow seen;
        if (for_update) {
          if (!t.txn.peek(rows_, r.row, r.initially).exists)
            continue;  // nothing to lock
          if (std::string e = lock(t, r.row); !e.empty())
            return fail(t, e);
          SqlResult res = t.txn.lock_read(rows_, r.row, r.initially, seen);
          if (res != SqlResult::Ok)
            return failed(t, res);
        } else {
          seen = t.txn.read(rows_, r.row, r.initially);
        }
        found += seen.exists ? 1 : 0;
        if (rs.size() == 1)
          (*s.reads)[r.row] = SqlReadMark{seen.version, seen.value, seen.exists};
      }
      return reply(found > 0 ? "found" : "absent", kReplyBytes + vbytes * static_cast<double>(found));
    }
    const RowRef& r = rs.front();
    if (step.op == "update" || step.op == "delete") {
      if (!t.txn.peek(rows_, r.row, r.initially).exists)
        return reply("absent");  // no row found, none locked
      auto mark            = s.reads->find(r.row);
      const SqlReadMark* m = mark == s.reads->end() ? nullptr : &mark->second;
      bool if_version      = step.op == "update" && step.args.flag("if_version");
      // WHERE version = <the version read> does not match the latest committed row: 0 rows,
      // nothing to lock. (A match may still wait for an updater in progress, then fail.)
      if (if_version && m && m->version != rows_.get(r.row, r.initially).version)
        return failed(t, SqlResult::Conflict);
      if (std::string e = lock(t, r.row); !e.empty())
        return fail(t, e);
      if (step.op == "delete") {
        SqlResult res = t.txn.remove(rows_, r.row, r.initially);
        if (res == SqlResult::Absent)
          return reply("absent");
        if (res != SqlResult::Ok)
          return failed(t, res);
        t.wal_bytes += kWalRecordBytes;
        s.reads->erase(r.row);
        return reply("found");
      }
      SqlResult res = t.txn.update(rows_, r.row, r.initially, static_cast<int64_t>(step.args.number("by")), m,
                                   if_version, step.args.flag("non_negative"));
      if (res == SqlResult::Absent)
        return reply("absent");
      if (res == SqlResult::Insufficient)
        return reply("insufficient");
      if (res != SqlResult::Ok)
        return failed(t, res);
      if (m)
        s.reads->erase(mark);  // the application used what it read
      t.wal_bytes += kWalRecordBytes + vbytes;
      return reply("found");
    }
    // insert
    bool unique = step.args.flag("unique");
    if (unique) {
      // The unique index entry: a concurrent insert of the key makes this one wait for it.
      if (std::string e = lock(t, r.row); !e.empty())
        return fail(t, e);
    }
    SqlResult res = t.txn.insert(rows_, r.row, r.initially, unique, static_cast<int64_t>(step.args.number("value")));
    if (res == SqlResult::Duplicate) {
      metrics_->count(rt_.now(), "duplicate_keys");
      return reply("");
    }
    if (res != SqlResult::Ok)
      return failed(t, res);
    t.wal_bytes += kWalRecordBytes + vbytes;
    return reply("");
  }

  std::shared_ptr<OpenTxn> begin(Isolation iso) { return std::make_shared<OpenTxn>(++next_txn_, iso, epoch_); }

  Outcome autocommit(FlowContext& ctx, const Step& step, Session& s)
  {
    if (!connect(kPrimary))
      return Outcome::error("pool_timeout");
    if (down_[kPrimary]) {
      disconnect(kPrimary);
      return Outcome::error("unavailable");
    }
    auto t    = begin(isolation_);
    Outcome o = statement(ctx, step, s, *t, kPrimary);
    if (o.ok() && t->txn.has_writes()) {
      Outcome c = commit(*t);
      if (!c.ok())
        o = c;
    } else {
      rollback(*t, t->aborted);
    }
    disconnect(kPrimary);
    return o;
  }

  Outcome transaction(FlowContext& ctx, const Step& step, Session& s, const Body& body)
  {
    if (s.txn)
      return body();  // already inside a transaction block: its statements join it
    sg4::Host* client = ctx.caller;  // nested calls in the body move ctx.caller
    if (!connect(kPrimary))
      return Outcome::error("pool_timeout");
    if (down_[kPrimary]) {
      disconnect(kPrimary);
      return Outcome::error("unavailable");
    }
    std::string level = step.args.text("isolation");
    auto t            = begin(level == "default" ? isolation_ : isolation_of(level));
    cpu_.work(kPrimary, commit_cpu_);                      // BEGIN
    rt_.transfer(host(kPrimary), client, kReplyBytes);  // its reply; the statements follow
    auto outer = session_ptr(ctx);
    auto inner = std::make_shared<Session>();
    inner->reads = outer->reads;
    inner->txn   = t;
    ctx.set_session(this, inner);
    Outcome o = body();
    ctx.set_session(this, outer);
    // COMMIT, or the ROLLBACK a client sends after an error.
    rt_.transfer(client, host(kPrimary), kStatementBytes);
    Outcome result;
    if (t->epoch != epoch_) {
      result = Outcome::error("unavailable");  // the connection died with the primary
    } else if (!o.ok() || t->aborted) {
      cpu_.work(kPrimary, commit_cpu_);
      rollback(*t, true);
      result = o.ok() ? Outcome::error(t->reason) : o;
    } else {
      result = commit(*t);
    }
    disconnect(kPrimary);
    if (result.ok())
      result.response_bytes = kReplyBytes;
    return result;
  }

  void rollback(OpenTxn& t, bool count)
  {
    release_locks(t);
    if (count)
      metrics_->count(rt_.now(), "rollbacks");
  }

  Outcome commit(OpenTxn& t)
  {
    double now = rt_.now();
    if (!t.txn.can_commit(rows_)) {
      metrics_->count(now, "serialization_failures");
      fail(t, "serialization_failure");
      rollback(t, true);
      return Outcome::error("serialization_failure");
    }
    cpu_.work(kPrimary, commit_cpu_);
    if (t.epoch != epoch_)
      return Outcome::error("unavailable");
    if (!t.txn.has_writes()) {
      release_locks(t);
      return reply("");
    }
    SqlWalRecord rec;
    rec.bytes = t.wal_bytes;
    if (sync_commit_) {
      uint64_t lsn = wal_.append(rec);
      if (!durable(lsn, t.epoch))
        return Outcome::error("unavailable");  // crashed before the flush: never committed
      SqlTxn::Applied a = t.txn.apply(rows_);
      committed(a);
      ship(rec.bytes, rt_.now(), std::make_shared<const std::vector<SqlRowChange>>(std::move(a.changes)));
    } else {
      SqlTxn::Applied a = t.txn.apply(rows_);
      committed(a);
      rec.committed_at = rt_.now();
      rec.acknowledged = true;
      rec.increments   = a.increments;
      rec.changes      = std::move(a.changes);
      wal_.append(std::move(rec));
    }
    release_locks(t);
    return reply("");
  }

  void committed(const SqlTxn::Applied& a)
  {
    double now = rt_.now();
    metrics_->count(now, "commits");
    if (measured(now))
      commits_ += 1;
    if (a.lost_updates > 0)
      metrics_->count(now, "lost_updates", static_cast<double>(a.lost_updates));
    increments_ += a.increments;
  }

  // --- WAL and group commit ----------------------------------------------------------------

  // Waits until the WAL is flushed up to `lsn`, flushing it if no flush is running (the
  // backend that finds the WAL idle flushes for everyone waiting). False if the primary died.
  bool durable(uint64_t lsn, uint64_t epoch)
  {
    while (wal_.flushed() < lsn) {
      if (epoch != epoch_)
        return false;
      if (!wal_.flushing()) {
        flush();
        continue;
      }
      auto sem = sg4::Semaphore::create(0);
      flush_waiters_.push_back(sem);
      sem->acquire();
    }
    return epoch == epoch_;
  }

  void flush()
  {
    uint64_t epoch  = epoch_;
    uint64_t target = wal_.begin_flush();
    if (fsync_ > 0)
      disk_wait(kPrimary, fsync_);
    if (epoch != epoch_)
      return;  // the primary died during the fsync: crash() has reset the log
    double now = rt_.now();
    metrics_->count(now, "fsyncs");
    if (measured(now))
      fsyncs_ += 1;
    for (SqlWalRecord& r : wal_.end_flush(target))
      if (r.acknowledged)
        ship(r.bytes, r.committed_at, std::make_shared<const std::vector<SqlRowChange>>(std::move(r.changes)));
    wake_flush_waiters();
  }

  void wake_flush_waiters()
  {
    std::vector<sg4::SemaphorePtr> w;
    w.swap(flush_waiters_);
    for (auto& sem : w)
      sem->release();
  }

  // synchronous_commit = off: the WAL writer flushes what the commits left every delay.
  void start_wal_writer()
  {
    sg4::Actor::create(name() + "-walwriter", host(kPrimary), [this]() {
      while (true) {
        sg4::this_actor::sleep_for(wal_writer_delay_);
        if (!down_[kPrimary] && wal_.inserted() > wal_.flushed() && !wal_.flushing())
          flush();
      }
    })->daemonize();
  }

  // --- replicas ----------------------------------------------------------------------------

  struct Stream {
    std::deque<Shipment> queue;
    bool idle = false;
    sg4::SemaphorePtr wake = sg4::Semaphore::create(0);
  };

  void ship(double bytes, double committed_at, std::shared_ptr<const std::vector<SqlRowChange>> changes)
  {
    for (auto& st : streams_) {
      st.queue.push_back({bytes, committed_at, changes});
      if (st.idle) {
        st.idle = false;
        st.wake->release();
      }
    }
  }

  // The replica's WAL receiver and startup process: takes the WAL streamed so far in one
  // transfer, then replays it record by record, in commit order.
  void start_replay(size_t r)
  {
    sg4::Actor::create(name() + "-replay-" + std::to_string(r), host(r), [this, r]() {
      Stream& st = streams_[r - 1];
      while (true) {
        if (st.queue.empty()) {
          st.idle = true;
          st.wake->acquire();
          continue;
        }
        while (down_[r])
          sg4::this_actor::sleep_for(wal_writer_delay_);
        std::vector<Shipment> batch(st.queue.begin(), st.queue.end());
        st.queue.clear();
        double bytes = 0;
        for (const auto& b : batch)
          bytes += b.bytes;
        rt_.transfer(host(kPrimary), host(r), bytes);
        SqlRowStore& rows = replica_rows_[r - 1];
        for (const auto& b : batch) {
          cpu_.work(r, replay_cpu_ * static_cast<double>(b.changes->size()));
          for (const SqlRowChange& c : *b.changes)
            if (c.after.version > rows.get(c.row, c.initially).version)
              rows.put(c.row, c.after);
          double now = rt_.now();
          if (measured(b.committed_at)) {
            lag_sum_ += now - b.committed_at;
            lag_n_ += 1;
            lag_max_ = std::max(lag_max_, now - b.committed_at);
          }
        }
      }
    })->daemonize();
  }

  Outcome replica_query(FlowContext& ctx, const Step& step, Session& s)
  {
    size_t h = 0;
    for (size_t k = 0; k + 1 < replicas() && h == 0; ++k) {
      size_t c = 1 + (rr_++ % (replicas() - 1));
      if (!down_[c])
        h = c;
    }
    if (h == 0) {
      metrics_->count(rt_.now(), "unavailable");
      return Outcome::error("unavailable");
    }
    if (!connect(h))
      return Outcome::error("pool_timeout");
    std::vector<RowRef> rs = refs(ctx, step);
    execute(h, rs);
    const SqlRowStore& rows = replica_rows_[h - 1];
    size_t found            = 0;
    bool stale              = false;
    for (const RowRef& r : rs) {
      SqlRow seen = rows.get(r.row, r.initially);
      stale       = stale || seen.version < rows_.get(r.row, r.initially).version;
      found += seen.exists ? 1 : 0;
      if (rs.size() == 1)
        (*s.reads)[r.row] = SqlReadMark{seen.version, seen.value, seen.exists};
    }
    double now = rt_.now();
    metrics_->count(now, "replica_reads");
    if (stale)
      metrics_->count(now, "stale_reads");
    disconnect(h);
    return reply(found > 0 ? "found" : "absent", kReplyBytes + value_bytes(ctx) * static_cast<double>(found));
  }

  // --- state -------------------------------------------------------------------------------

  CpuMeter cpu_;
  ComponentMetrics::Level& pool_level_;
  ComponentMetrics::Level& pool_wait_level_;
  ComponentMetrics::Level& disk_level_;
  double pool_timeout_;
  const Distribution& statement_cpu_;
  double row_cpu_;
  double commit_cpu_;
  double disk_read_;
  double fsync_;
  bool sync_commit_;
  double wal_writer_delay_;
  Isolation isolation_;
  double lock_timeout_;
  double deadlock_timeout_;
  double prefilled_;
  double replay_cpu_;

  std::vector<sg4::SemaphorePtr> connections_;
  std::vector<sg4::SemaphorePtr> disks_;
  std::vector<KeyCache> buffers_;
  std::map<std::string, TableInfo> tables_;
  std::set<std::string> empty_tables_;

  SqlRowStore rows_;                        // the primary's committed rows
  std::vector<SqlRowStore> replica_rows_;   // what each replica has replayed
  std::vector<Stream> streams_;             // WAL on its way to each replica
  SqlLockTable locks_;
  std::unordered_map<uint64_t, sg4::SemaphorePtr> lock_waiters_;  // txn -> its wake-up
  SqlWal wal_;
  std::vector<sg4::SemaphorePtr> flush_waiters_;
  uint64_t epoch_    = 0;  // the primary's lives: +1 at each crash
  uint64_t next_txn_ = 0;
  size_t rr_         = 0;
  Rng rng_cpu_;

  double page_lookups_ = 0, page_hits_ = 0;
  double lock_wait_sum_ = 0, lock_wait_n_ = 0;
  double pool_wait_sum_ = 0, pool_wait_n_ = 0;
  double lag_sum_ = 0, lag_n_ = 0, lag_max_ = 0;
  double commits_ = 0, fsyncs_ = 0;
  int64_t increments_ = 0;
};

}  // namespace

std::unique_ptr<Component> make_sql_db(Runtime& rt, const ComponentSpec& spec)
{
  return std::make_unique<SqlDb>(rt, spec);
}

}  // namespace archsim
