#include "analysis/report_md.h"

#include <fmt/format.h>

#include "analysis/result_json.h"
#include "sim/core/units.h"

namespace archsim {

using nlohmann::json;

namespace {

std::string md_cell(const std::string& text)
{
  std::string out;
  for (char ch : text) {
    if (ch == '|')
      out += "\\|";
    else if (ch == '\n' || ch == '\r')
      out += ' ';
    else
      out += ch;
  }
  return out;
}

std::string md_row(const std::vector<std::string>& cells)
{
  std::string out = "|";
  for (const auto& c : cells)
    out += " " + md_cell(c) + " |";
  return out + "\n";
}

// argv as a shell command a reader can copy: arguments with special characters single-quoted.
std::string shell_command(const json& argv)
{
  std::string out;
  for (const auto& a : argv) {
    if (!a.is_string())
      continue;
    std::string s = a.get<std::string>();
    bool plain    = !s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789-_./=:,+@%") == std::string::npos;
    if (!plain) {
      std::string q = "'";
      for (char ch : s)
        q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
      s = q + "'";
    }
    out += (out.empty() ? "" : " ") + s;
  }
  return out;
}

std::string metadata_table(const json& result)
{
  const json& sc  = object_at(result, "scenario");
  const json& run = object_at(result, "run");
  std::vector<std::pair<std::string, std::string>> rows;
  auto add = [&](const std::string& key, const std::string& value) {
    if (!value.empty())
      rows.emplace_back(key, value);
  };
  std::string file = text_at(sc, "file");
  add("scenario", text_at(sc, "name") + (file.empty() ? "" : " (`" + file + "`)"));
  if (auto design = number_at(sc, "design"); design && *design > 0)
    add("design", format_count(*design));
  std::string variants;
  for (const auto& v : array_at(sc, "variants"))
    if (v.is_string())
      variants += (variants.empty() ? "" : ", ") + v.get<std::string>();
  add("variants", variants.empty() ? "none" : variants);
  if (result.contains("seed") && result["seed"].is_number())
    add("seed", result["seed"].dump());
  if (auto d = number_at(run, "duration"))
    add("simulated", fmt::format("{} ({} warm-up, {} measured)", format_duration(*d),
                                 format_duration(number_or(run, "warmup", 0)),
                                 format_duration(number_or(run, "measured", *d - number_or(run, "warmup", 0)))));
  if (auto w = number_at(run, "window"))
    add("time-series window", format_duration(*w));
  add("network model", text_at(run, "network_model"));
  add("archsim", text_at(result, "archsim_version"));
  add("SimGrid", text_at(result, "simgrid_version"));
  std::string cmd = shell_command(array_at(result, "argv"));
  add("command", cmd.empty() ? "" : "`" + cmd + "`");
  if (auto wall = number_at(result, "wall_time_s"))
    add("wall time", format_duration(*wall));
  add("schema", text_at(result, "schema"));

  std::string out = "| run | |\n| --- | --- |\n";
  for (const auto& [k, v] : rows)
    out += md_row({k, v});
  return out;
}

}  // namespace

std::string render_markdown_table(const ReportTable& table)
{
  std::string out = md_row(table.headers) + "|";
  for (size_t c = 0; c < table.headers.size(); ++c)
    out += c < table.align.size() && table.align[c] == Align::Right ? " ---: |" : " --- |";
  out += "\n";
  for (const auto& row : table.rows)
    out += md_row(row);
  return out;
}

std::string format_report_md(const json& result, const std::vector<TargetCheck>& checks)
{
  const json& sc    = object_at(result, "scenario");
  std::string title = text_at(sc, "title");
  if (title.empty())
    title = text_at(sc, "name");
  std::string out = "# " + (title.empty() ? std::string("archsim run") : title) + "\n\n";
  if (std::string d = text_at(sc, "description"); !d.empty())
    out += d + "\n\n";
  out += metadata_table(result);

  std::vector<std::string> warnings = run_warnings(result);
  if (!warnings.empty()) {
    out += "\n## Warnings\n\n";
    for (const auto& w : warnings)
      out += "- **warning:** " + w + "\n";
  }
  ReportTable classes = class_table(result);
  if (!classes.rows.empty())
    out += "\n## Request classes\n\n" + render_markdown_table(classes);
  ReportTable components = component_table(result);
  if (!components.rows.empty())
    out += "\n## Components\n\n" + render_markdown_table(components);
  ReportTable faults = fault_table(result);
  if (!faults.rows.empty())
    out += "\n## Faults\n\n" + render_markdown_table(faults);
  if (!checks.empty())
    out += "\n## Targets\n\n**" + targets_verdict(checks) + "**\n\n" + render_markdown_table(target_table(checks));
  return out;
}

}  // namespace archsim
