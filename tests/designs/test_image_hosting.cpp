// Design 2, image hosting (scenarios/image_hosting.yaml): the trade-offs of its variants, each
// comparing short runs of the file at the cell's full load (the file is cheap to simulate), with
// a smaller PostgreSQL buffer pool to warm.
#include <catch2/catch.hpp>

#include "design_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

nlohmann::json run(std::vector<std::string> variants, double duration = 3)
{
  // A smaller buffer pool to warm (the database is far from its limits either way).
  return run_design("image_hosting", std::move(variants), duration, 1, {{"components.pg.shared_buffers", "256MB"}});
}

}  // namespace

TEST_CASE("image_hosting: at one download per upload, pre-resizing does far more resizing than on-the-fly")
{
  auto pre = run({});
  auto fly = run({"on_the_fly"});
  double pre_resizes = metric(pre, "resizer", "throughput");
  double fly_resizes = metric(fly, "resizer", "throughput");
  INFO("resizes/s: pre-resize " << pre_resizes << ", on the fly " << fly_resizes << "; CDN hit ratio "
                                << metric(fly, "cdn", "hit_ratio"));
  // Three sizes for every new upload against one size per CDN miss.
  CHECK(pre_resizes > 3 * fly_resizes);
  CHECK(metric(pre, "resizer", "utilisation") > 2 * metric(fly, "resizer", "utilisation"));
  // Storage: pre-resizing writes three more objects per new image.
  CHECK(metric(pre, "s3", "bytes_in") > 1.5 * metric(fly, "s3", "bytes_in"));
}

TEST_CASE("image_hosting: on-the-fly resizing puts the resize on every CDN miss's latency")
{
  auto pre = run({});
  auto fly = run({"on_the_fly"});
  double pre_p90 = klass(pre, "download")["latency"]["p90"].get<double>();
  double fly_p90 = klass(fly, "download")["latency"]["p90"].get<double>();
  INFO("download p90: pre-resize " << pre_p90 << " s, on the fly " << fly_p90 << " s");
  CHECK(fly_p90 > pre_p90 + 0.010);
}

TEST_CASE("image_hosting: perceptual hashes find near-duplicates that exact hashes store again")
{
  auto phash = run({});
  auto exact = run({"exact_hash"});
  double new_phash = metric(phash, "queue", "published");
  double new_exact = metric(exact, "queue", "published");
  INFO("new images (resize jobs): perceptual " << new_phash << ", exact " << new_exact);
  // 15% of uploads found as duplicates against 5%: about 85 new images per 95.
  CHECK(new_exact > 1.05 * new_phash);
  CHECK(metric(exact, "s3", "bytes_in") > metric(phash, "s3", "bytes_in"));
  // ...and perceptual hashing costs an order of magnitude more upload CPU.
  CHECK(metric(phash, "app", "utilisation") > 5 * metric(exact, "app", "utilisation"));
}

TEST_CASE("image_hosting: without the CDN every download waits for S3")
{
  auto base  = run({});
  auto nocdn = run({"no_cdn"});
  INFO("download p50: CDN " << klass(base, "download")["latency"]["p50"].get<double>() << " s, no CDN "
                            << klass(nocdn, "download")["latency"]["p50"].get<double>() << " s");
  CHECK(klass(nocdn, "download")["latency"]["p50"].get<double>() >
        klass(base, "download")["latency"]["p50"].get<double>() + 0.010);
  CHECK(metric(nocdn, "origin", "throughput") > 1.5 * metric(base, "origin", "throughput"));
}
