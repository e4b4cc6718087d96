#include "analysis/fault_effects.h"
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

std::string metadata_table(const json& result)
{
  std::string out = "| run | |\n| --- | --- |\n";
  for (const auto& row : run_metadata(result)) {
    std::string code = row.code.empty() ? "" : "`" + row.code + "`";
    std::string value = row.text.empty() ? code : code.empty() ? row.text : row.text + " (" + code + ")";
    out += md_row({row.key, value});
  }
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
  ReportTable effects = fault_effect_table(result);
  if (!effects.rows.empty())
    out += "\n### Fault effects\n\nPer time-series window; recovered: p99 within 1.5x and errors back to the level "
           "before the fault, three windows in a row.\n\n" +
           render_markdown_table(effects);
  std::vector<std::string> lost = data_loss_lines(result);
  if (!lost.empty()) {
    out += "\nData lost or duplicated (counted by the models):\n\n";
    for (const auto& line : lost)
      out += "- `" + line + "`\n";
  }
  if (!checks.empty())
    out += "\n## Targets\n\n**" + targets_verdict(checks) + "**\n\n" + render_markdown_table(target_table(checks));
  return out;
}

}  // namespace archsim
