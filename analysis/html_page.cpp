#include "analysis/html_page.h"

#include <fmt/format.h>

#include "analysis/result_json.h"
#include "analysis/svg_axis.h"

namespace archsim::html {

namespace {

// Plain and printable: system fonts only, so nothing is fetched.
constexpr const char* kStyle = R"(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222;
       max-width: 1000px; margin: 24px auto; padding: 0 16px; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.sub { color: #555; margin-top: 0; }
p.description { max-width: 900px; }
p.verdict { font-weight: bold; }
p.verdict.good { color: #2a7a2e; }
p.verdict.bad { color: #b0282b; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { border: 1px solid #ddd; padding: 3px 8px; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.good td:first-child { color: #2a7a2e; font-weight: bold; }
tr.bad td:first-child { color: #b0282b; font-weight: bold; }
figure { margin: 1.2em 0; }
div.row { display: flex; flex-wrap: wrap; gap: 8px 20px; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; max-width: 900px; }
div.warning { background: #fff4e5; border-left: 4px solid #f28e2b; padding: 6px 10px; margin: 6px 0; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.92em; }
ul.lines { padding-left: 1.2em; }
)";

}  // namespace

std::string escape(std::string_view text) { return svg::escape_xml(text); }

std::string table(const ReportTable& t)
{
  auto cls = [&](size_t c) { return c < t.align.size() && t.align[c] == Align::Right ? R"( class="num")" : ""; };
  std::string out = "<table>\n<thead><tr>";
  for (size_t c = 0; c < t.headers.size(); ++c)
    out += fmt::format("<th{}>{}</th>", cls(c), escape(t.headers[c]));
  out += "</tr></thead>\n<tbody>\n";
  for (size_t r = 0; r < t.rows.size(); ++r) {
    Tone tone = r < t.tones.size() ? t.tones[r] : Tone::Plain;
    out += tone == Tone::Good ? R"(<tr class="good">)" : tone == Tone::Bad ? R"(<tr class="bad">)" : "<tr>";
    for (size_t c = 0; c < t.rows[r].size(); ++c)
      out += fmt::format("<td{}>{}</td>", cls(c), escape(t.rows[r][c]));
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string figure(const std::string& svg, const std::string& caption)
{
  return "<figure>\n" + svg + "\n" + (caption.empty() ? "" : "<figcaption>" + escape(caption) + "</figcaption>\n") +
         "</figure>\n";
}

std::string section(const std::string& heading, const std::string& content)
{
  return "<h2>" + escape(heading) + "</h2>\n" + content;
}

std::string paragraph(const std::string& text, const std::string& css_class)
{
  return (css_class.empty() ? "<p>" : "<p class=\"" + escape(css_class) + "\">") + escape(text) + "</p>\n";
}

std::string warnings(const std::vector<std::string>& items)
{
  std::string out;
  for (const auto& w : items)
    out += "<div class=\"warning\"><strong>warning:</strong> " + escape(w) + "</div>\n";
  return out;
}

std::string heading(const std::string& title, const std::string& sub, const std::vector<std::string>& notes)
{
  return "<h1>" + escape(title) + "</h1>\n" + paragraph(sub, "sub") + warnings(notes);
}

std::string experiment_title(const std::string& kind, const std::string& scenario_file,
                             const std::vector<std::optional<nlohmann::json>>& results)
{
  for (const auto& r : results)
    if (r) {
      const nlohmann::json& sc = object_at(*r, "scenario");
      std::string title        = text_at(sc, "title");
      if (title.empty())
        title = text_at(sc, "name");
      if (!title.empty())
        return kind + ": " + title;
    }
  return kind + " " + scenario_file;
}

std::string page(const std::string& title, const std::string& body)
{
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
         escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
}

}  // namespace archsim::html
