#include "analysis/fault_effects.h"
#include "analysis/run_table.h"

#include "analysis/report_content.h"
#include "analysis/text_table.h"

namespace archsim {

std::string format_run_table(const nlohmann::json& result, const std::vector<TargetCheck>& checks, bool colour)
{
  std::string out = run_headline(result) + "\n";
  ReportTable classes = class_table(result);
  if (!classes.rows.empty())
    out += "\nRequest classes\n" + render_text_table(classes, colour);
  ReportTable components = component_table(result);
  if (!components.rows.empty())
    out += "\nComponents\n" + render_text_table(components, colour);
  ReportTable faults = fault_table(result);
  if (!faults.rows.empty())
    out += "\nFaults\n" + render_text_table(faults, colour);
  ReportTable effects = fault_effect_table(result);
  if (!effects.rows.empty())
    out += "\nFault effects (recovered: p99 within 1.5x of before and errors back, 3 windows in a row)\n" +
           render_text_table(effects, colour);
  for (const auto& line : data_loss_lines(result))
    out += "data lost or duplicated: " + line + "\n";
  if (!checks.empty()) {
    bool ok = all_met(checks);
    out += "\nTargets: " + paint(targets_verdict(checks), ok ? Tone::Good : Tone::Bad, colour) + "\n" +
           render_text_table(target_table(checks), colour);
  }
  std::vector<std::string> warnings = run_warnings(result);
  if (!warnings.empty())
    out += "\n";
  for (const auto& w : warnings)
    out += paint_warning("warning: " + w, colour) + "\n";
  return out;
}

}  // namespace archsim
