#include "analysis/text_table.h"

#include <algorithm>

namespace archsim {

size_t display_width(std::string_view text)
{
  size_t n = 0;
  for (unsigned char ch : text)
    n += (ch & 0xC0) != 0x80;  // count every byte except UTF-8 continuation bytes
  return n;
}

std::string paint(const std::string& text, Tone tone, bool colour)
{
  if (!colour || tone == Tone::Plain)
    return text;
  return (tone == Tone::Good ? "\x1b[32m" : "\x1b[1;31m") + text + "\x1b[0m";
}

std::string paint_warning(const std::string& text, bool colour)
{
  return colour ? "\x1b[33m" + text + "\x1b[0m" : text;
}

std::string render_text_table(const ReportTable& table, bool colour)
{
  const size_t cols = table.headers.size();
  std::vector<size_t> width(cols, 0);
  for (size_t c = 0; c < cols; ++c)
    width[c] = display_width(table.headers[c]);
  for (const auto& row : table.rows)
    for (size_t c = 0; c < cols && c < row.size(); ++c)
      width[c] = std::max(width[c], display_width(row[c]));

  std::string rule = "+";
  for (size_t w : width)
    rule += std::string(w + 2, '-') + "+";
  rule += "\n";

  auto line = [&](const std::vector<std::string>& cells, Tone tone, bool header) {
    std::string out = "|";
    for (size_t c = 0; c < cols; ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      std::string pad(width[c] - display_width(cell), ' ');
      bool right         = !header && c < table.align.size() && table.align[c] == Align::Right;
      std::string shown  = c == 0 ? paint(cell, tone, colour) : cell;
      out += " " + (right ? pad + shown : shown + pad) + " |";
    }
    return out + "\n";
  };

  std::string out = rule + line(table.headers, Tone::Plain, true) + rule;
  for (size_t r = 0; r < table.rows.size(); ++r)
    out += line(table.rows[r], r < table.tones.size() ? table.tones[r] : Tone::Plain, false);
  return out + rule;
}

}  // namespace archsim
