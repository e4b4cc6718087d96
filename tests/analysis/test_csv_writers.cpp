// timeseries.csv (long format) and latency.csv (per-class CDF from the histogram).
#include <catch2/catch.hpp>
#include <map>
#include <sstream>

#include "analysis/csv_writers.h"
#include "fixture.h"

using namespace archsim;
using archsim::test::small_run_result;
using nlohmann::json;

namespace {
std::vector<std::vector<std::string>> rows_of(const std::string& csv)
{
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream l(line);
    while (std::getline(l, cell, ','))
      cells.push_back(cell);
    if (!line.empty() && line.back() == ',')
      cells.push_back("");
    rows.push_back(cells);
  }
  return rows;
}
}  // namespace

TEST_CASE("timeseries.csv has one row per window, series and subject", "[csv]")
{
  auto rows = rows_of(timeseries_csv(small_run_result()));
  REQUIRE(rows.size() == 1 + 6 * (3 + 3 + 2));  // header + 6 windows x (redirect 3, create 3, app 2)
  CHECK(rows[0] == std::vector<std::string>{"t", "series", "subject", "value"});
  for (const auto& row : rows)
    CHECK(row.size() == 4);
  bool found = false;
  for (const auto& row : rows)
    found = found || row == std::vector<std::string>{"2", "throughput", "redirect", "9876.5"};
  CHECK(found);
}

TEST_CASE("a window without a value has an empty cell in timeseries.csv", "[csv]")
{
  std::string csv = timeseries_csv(small_run_result());
  CHECK(csv.find("\n0,p99,create,\n") != std::string::npos);
  CHECK(csv.find("\n1,p99,create,0.3\n") != std::string::npos);
}

TEST_CASE("latency.csv has one row per histogram bucket and each class's CDF ends at 1", "[csv]")
{
  json r    = small_run_result();
  auto rows = rows_of(latency_csv(r));
  CHECK(rows[0] == std::vector<std::string>{"class", "lower_s", "upper_s", "count", "cumulative_fraction"});
  std::map<std::string, size_t> per_class;
  std::map<std::string, double> last_fraction, count_sum;
  for (size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 5);
    const std::string& cls = rows[i][0];
    double lower = std::stod(rows[i][1]), upper = std::stod(rows[i][2]), fraction = std::stod(rows[i][4]);
    CHECK(lower < upper);
    CHECK(fraction >= last_fraction[cls]);  // non-decreasing
    ++per_class[cls];
    last_fraction[cls] = fraction;
    count_sum[cls] += std::stod(rows[i][3]);
  }
  for (const char* cls : {"redirect", "create"}) {
    auto h = LogHistogram::from_json(r["classes"][cls == std::string("redirect") ? 0 : 1]["histogram"]);
    CHECK(per_class[cls] == h.buckets().size());
    CHECK(count_sum[cls] == h.count());
    CHECK(last_fraction[cls] == 1.0);
  }
  CHECK(per_class.count("batch") == 0);  // no completed request, no rows
}

TEST_CASE("latency.csv bucket bounds contain the class's samples", "[csv]")
{
  auto rows = rows_of(latency_csv(small_run_result()));
  // redirect samples are 2ms .. 22ms
  CHECK(std::stod(rows[1][1]) <= 0.002);
  CHECK(std::stod(rows[1][2]) >= 0.002);
}

TEST_CASE("adjacent latency.csv buckets share their bound exactly", "[csv]")
{
  auto rows = rows_of(latency_csv(small_run_result()));
  // rows 1 and 2 are redirect's first two buckets, which are adjacent (samples every 20us from 2ms)
  REQUIRE(rows[1][0] == "redirect");
  REQUIRE(rows[2][0] == "redirect");
  CHECK(rows[1][2] == rows[2][1]);
}
