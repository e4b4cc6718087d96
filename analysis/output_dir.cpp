#include "analysis/output_dir.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <stdexcept>

#include "analysis/csv_writers.h"
#include "analysis/report_html.h"
#include "analysis/report_md.h"
#include "analysis/targets.h"

namespace archsim {

namespace fs = std::filesystem;

void write_text_file(const std::string& path, const std::string& content)
{
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f)
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  f << content;
  f.close();
  if (!f)
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
}

std::vector<std::string> write_run_outputs(const std::string& dir, const nlohmann::json& result_with_checks,
                                           const std::string& table, const OutputSelection& select)
{
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(fmt::format("cannot create output directory {}: {}", dir, ec.message()));
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(fmt::format("cannot create output directory {}: it exists and is not a directory", dir));

  std::vector<std::string> written;
  auto put = [&](const char* name, const std::string& content) {
    std::string path = (fs::path(dir) / name).string();
    write_text_file(path, content);
    written.push_back(path);
  };
  // Never throws on odd bytes in names: invalid UTF-8 is replaced rather than aborting the run.
  put("summary.json", result_with_checks.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (select.csv) {
    put("timeseries.csv", timeseries_csv(result_with_checks));
    put("latency.csv", latency_csv(result_with_checks));
  }
  if (select.md || select.html) {
    std::vector<TargetCheck> checks = recorded_target_checks(result_with_checks);
    if (select.md)
      put("report.md", format_report_md(result_with_checks, checks));
    if (select.html)
      put("report.html", format_report_html(result_with_checks, checks));
  }
  if (select.table && !table.empty())
    put("summary.txt", table);
  return written;
}

}  // namespace archsim
