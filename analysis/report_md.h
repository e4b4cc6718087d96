#pragma once
// report.md: the run report as Markdown (GitHub-flavoured tables), for pasting into design
// documents and reviews. Same content as the terminal table, plus the run metadata needed to
// reproduce the run: archsim and SimGrid versions, command line, seed.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/report_content.h"
#include "analysis/targets.h"

namespace archsim {

std::string format_report_md(const nlohmann::json& result, const std::vector<TargetCheck>& checks);

// A ReportTable as a Markdown table; '|' in cells is escaped, newlines become spaces.
std::string render_markdown_table(const ReportTable& table);

}  // namespace archsim
