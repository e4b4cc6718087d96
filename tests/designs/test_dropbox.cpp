// Design 7, Dropbox (scenarios/dropbox.yaml): the trade-offs of its variants, each comparing
// short runs of the file. To keep a test case within a few seconds the runs are 4 s long and
// start smaller (fewer open WebSockets, a smaller buffer pool and CDN, so less warm-up work);
// the behaviours checked come from the upload flows, which keep the cell's full rates unless a
// test says otherwise.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, Sets extra = {})
{
  bool websockets = !has_variant(variants, "polling");
  Sets sets{{"data.users.keys", "20K"},
            {"components.db.shared_buffers", "256MB"},
            {"components.cdn.capacity", "2GB"}};
  if (websockets)
    sets.emplace_back("components.ws.viewers", "20K");
  return run_design("dropbox", std::move(variants), 4, 1, sets + extra);
}

// Only the edits of large files (the other classes nearly idle): S3's bytes are the edits'.
const Sets kEditsOnly{{"workload.upload.rate", "0.01/s"},
                      {"workload.upload_large.rate", "0.01/s"},
                      {"workload.download.rate", "0.01/s"}};

}  // namespace

TEST_CASE("dropbox: delta sync uploads one chunk per edit where a full re-upload sends all five")
{
  auto delta = run({}, kEditsOnly);
  auto full  = run({"no_delta_sync"}, kEditsOnly);
  double per_edit_delta = metric(delta, "s3", "bytes_in") / klass(delta, "edit_large")["ok"].get<double>();
  double per_edit_full  = metric(full, "s3", "bytes_in") / klass(full, "edit_large")["ok"].get<double>();
  INFO("bytes per edit: delta " << per_edit_delta << ", full " << per_edit_full);
  CHECK(per_edit_full > 4 * per_edit_delta);
  CHECK(klass(full, "edit_large")["latency"]["p50"].get<double>() >
        klass(delta, "edit_large")["latency"]["p50"].get<double>());
}

TEST_CASE("dropbox: five parallel chunks upload a 40 MiB file faster than one whole-file PUT")
{
  Sets no_downloads{{"workload.download.rate", "0.01/s"}};
  auto chunked = run({}, no_downloads);
  auto whole   = run({"whole_file"}, no_downloads);
  double p50_chunked = klass(chunked, "upload_large")["latency"]["p50"].get<double>();
  double p50_whole   = klass(whole, "upload_large")["latency"]["p50"].get<double>();
  INFO("upload_large p50: chunked " << p50_chunked << " s, whole file " << p50_whole << " s");
  // One stream is bound by the TCP window over 20 ms (~105 MB/s): 40 MiB takes ~0.4 s alone.
  CHECK(p50_whole > 1.5 * p50_chunked);
  CHECK(p50_whole > 0.4);
}

TEST_CASE("dropbox: proxying uploads through the API holds its threads and slows large uploads")
{
  Sets no_downloads{{"workload.download.rate", "0.01/s"}};
  auto direct = run({}, no_downloads);
  auto proxy  = run({"proxy_upload"}, no_downloads);
  double th_direct = metric(direct, "api", "thread_utilisation");
  double th_proxy  = metric(proxy, "api", "thread_utilisation");
  INFO("api thread utilisation: presigned " << th_direct << ", proxied " << th_proxy);
  CHECK(th_proxy > 5 * th_direct);
  CHECK(klass(proxy, "upload_large")["latency"]["p50"].get<double>() >
        2 * klass(direct, "upload_large")["latency"]["p50"].get<double>());
}

TEST_CASE("dropbox: polling every 30 s puts many times the WebSocket design's load on the API and the database")
{
  // A quarter of the cell's load (polls included), enough to compare the two designs.
  Sets quarter{{"workload.upload.rate", "50/s"},
               {"workload.upload_large.rate", "6/s"},
               {"workload.edit_large.rate", "6/s"},
               {"workload.download.rate", "125/s"}};
  auto push = run({}, quarter);
  Sets q    = quarter;
  q.emplace_back("workload.poll.rate", "2083/s");
  auto poll = run({"polling"}, q);
  INFO("api " << metric(push, "api", "throughput") << "/s vs " << metric(poll, "api", "throughput") << "/s; db "
              << metric(push, "db", "throughput") << "/s vs " << metric(poll, "db", "throughput") << "/s");
  CHECK(metric(poll, "api", "throughput") > 5 * metric(push, "api", "throughput"));
  CHECK(metric(poll, "db", "throughput") > 3 * metric(push, "db", "throughput"));
}

TEST_CASE("dropbox: the content-hash check skips uploads of files the store already holds")
{
  // A small catalogue of popular files, so that contents repeat within a short run.
  Sets popular{{"data.small_files.keys", "20K"}, {"data.small_files.popularity", "zipf(1.0)"}};
  auto dedup   = run({}, popular);
  auto nodedup = run({"no_dedup"}, popular);
  double found = klass(dedup, "upload")["ok"].get<double>() - metric(dedup, "s3", "absent");
  INFO("uploads " << klass(dedup, "upload")["ok"] << ", HEAD found " << found << "; bytes in " << metric(dedup, "s3", "bytes_in")
                  << " vs " << metric(nodedup, "s3", "bytes_in") << " without the check");
  CHECK(found > 0.1 * klass(dedup, "upload")["ok"].get<double>());
  CHECK(metric(nodedup, "s3", "bytes_in") > metric(dedup, "s3", "bytes_in"));
}

TEST_CASE("dropbox: overlapping edits of one shared file conflict and leave conflicted copies")
{
  auto r = run({"hot_file_edits"}, {{"workload.edit_hot.rate", "5/s"}});
  double edits     = klass(r, "edit_hot")["ok"].get<double>();
  double conflicts = metric(r, "db", "conflicts");
  INFO(edits << " hot edits, " << conflicts << " version conflicts");
  // Poisson saves at 5/s, ~0.3 s between reading the version and committing: most overlap.
  CHECK(conflicts > 0.3 * edits);
  CHECK(klass(r, "edit_hot")["errors"].get<double>() == 0);  // each conflict became a copy
}
