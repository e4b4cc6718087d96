#pragma once
// The frame of report.html: one self-contained page (inline CSS, inline SVG; no script, no font,
// image or stylesheet to fetch), ReportTables as HTML tables, figures with captions. The run,
// compare and sweep reports (report_html, compare_html, sweep_html) fill it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/report_content.h"

namespace archsim::html {

// Character data and attribute values: & < > " ' escaped.
std::string escape(std::string_view text);

// A ReportTable: header row, right-aligned numeric columns, met/missed rows coloured by tone.
std::string table(const ReportTable& t);
// An inline SVG (from svg_plot) with a caption under it.
std::string figure(const std::string& svg, const std::string& caption);
// <h2>, then the content.
std::string section(const std::string& heading, const std::string& content);
// <p> with escaped text.
std::string paragraph(const std::string& text, const std::string& css_class = "");
// A list of warnings, each in a warning box; "" when there are none.
std::string warnings(const std::vector<std::string>& items);
// <h1>title</h1>, a summary line under it, then the warnings.
std::string heading(const std::string& title, const std::string& sub, const std::vector<std::string>& notes);
// An experiment page's title, "compare: Three-tier web service", from the scenario's title (or
// name) in the first job result that has one, else "compare FILE".
std::string experiment_title(const std::string& kind, const std::string& scenario_file,
                             const std::vector<std::optional<nlohmann::json>>& results);
// The whole document: <!DOCTYPE html>, <head> with the title and the style sheet, <body>.
std::string page(const std::string& title, const std::string& body);

}  // namespace archsim::html
