#pragma once
// Draws a ReportTable for a terminal: plain ASCII borders, columns as wide as their widest cell
// (counted in characters, not bytes, so "✓" and "—" align), numbers right-aligned. ANSI colour
// only when asked: `archsim` turns it on for a terminal and off for pipes and files.
#include <string>
#include <string_view>

#include "analysis/report_content.h"

namespace archsim {

// Characters on screen: UTF-8 code points (every character archsim prints is one column wide).
size_t display_width(std::string_view text);

std::string render_text_table(const ReportTable& table, bool colour = false);

// ANSI escapes used by the terminal report, or "" when !colour.
std::string paint(const std::string& text, Tone tone, bool colour);
std::string paint_warning(const std::string& text, bool colour);

}  // namespace archsim
