#include "bench/report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

namespace armory::bench {

namespace {

const char* const kPalette[] = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

// armory first, then the peers in a fixed order, so a library keeps its colour across plots and runs.
int library_rank(const std::string& lib) {
  static const char* const order[] = {"armory", "openblas", "blis", "onednn", "numpy", "pytorch"};
  for (int i = 0; i < 6; ++i) {
    if (lib == order[i]) return i;
  }
  return 6;
}

std::string colour(const std::string& lib) { return kPalette[library_rank(lib) % 8]; }

std::string fmt(double v, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The figure a case is judged by: GFLOPS when it has a flop count, else seconds (lower is better).
std::string figure_text(const CaseResult& r) {
  if (r.gflops() > 0) return fmt(r.gflops()) + " GFLOPS";
  return fmt(r.seconds.median, 4) + " s";
}

struct Series {
  std::string name;
  std::string colour;
  std::vector<std::pair<double, double>> points;  // x, y
};

// A line plot: x on a log2 axis when log_x, y linear from 0.
std::string line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                       std::vector<Series> series, bool log_x) {
  const double w = 560, h = 300, left = 60, right = 130, top = 30, bottom = 45;
  double xmin = 1e300, xmax = -1e300, ymax = 0;
  for (const auto& s : series) {
    for (auto [x, y] : s.points) {
      double xv = log_x ? std::log2(x) : x;
      xmin = std::min(xmin, xv);
      xmax = std::max(xmax, xv);
      ymax = std::max(ymax, y);
    }
  }
  if (xmin > xmax) return "";
  if (xmax == xmin) xmax = xmin + 1;
  if (ymax <= 0) ymax = 1;
  ymax *= 1.1;
  auto px = [&](double x) { return left + ((log_x ? std::log2(x) : x) - xmin) / (xmax - xmin) * (w - left - right); };
  auto py = [&](double y) { return h - bottom - y / ymax * (h - top - bottom); };
  std::ostringstream svg;
  svg << "<svg class=\"chart\" viewBox=\"0 0 " << w << " " << h << "\" width=\"" << w << "\" height=\"" << h
      << "\" role=\"img\" aria-label=\"" << html_escape(title) << "\">";
  svg << "<text x=\"" << left << "\" y=\"18\" class=\"title\">" << html_escape(title) << "</text>";
  // Axes, y grid and ticks.
  svg << "<line x1=\"" << left << "\" y1=\"" << h - bottom << "\" x2=\"" << w - right << "\" y2=\"" << h - bottom
      << "\" class=\"axis\"/><line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\"" << h - bottom
      << "\" class=\"axis\"/>";
  for (int i = 0; i <= 4; ++i) {
    double y = ymax / 1.1 * i / 4;
    svg << "<line x1=\"" << left << "\" y1=\"" << py(y) << "\" x2=\"" << w - right << "\" y2=\"" << py(y)
        << "\" class=\"grid\"/><text x=\"" << left - 6 << "\" y=\"" << py(y) + 4 << "\" class=\"tick\" text-anchor=\"end\">"
        << fmt(y, y < 10 ? 2 : 0) << "</text>";
  }
  std::set<double> xs;
  for (const auto& s : series) {
    for (auto [x, y] : s.points) xs.insert(x);
  }
  for (double x : xs) {
    svg << "<text x=\"" << px(x) << "\" y=\"" << h - bottom + 16 << "\" class=\"tick\" text-anchor=\"middle\">"
        << fmt(x, 0) << "</text>";
  }
  svg << "<text x=\"" << (left + w - right) / 2 << "\" y=\"" << h - 8 << "\" class=\"label\" text-anchor=\"middle\">"
      << html_escape(x_label) << "</text>";
  svg << "<text transform=\"translate(14," << (top + h - bottom) / 2 << ") rotate(-90)\" class=\"label\" "
      << "text-anchor=\"middle\">" << html_escape(y_label) << "</text>";
  int legend = 0;
  for (auto& s : series) {
    std::sort(s.points.begin(), s.points.end());
    svg << "<polyline fill=\"none\" stroke=\"" << s.colour << "\" stroke-width=\"2\" points=\"";
    for (auto [x, y] : s.points) svg << fmt(px(x), 1) << "," << fmt(py(y), 1) << " ";
    svg << "\"/>";
    for (auto [x, y] : s.points) {
      svg << "<circle cx=\"" << fmt(px(x), 1) << "\" cy=\"" << fmt(py(y), 1) << "\" r=\"3\" fill=\"" << s.colour
          << "\"><title>" << html_escape(s.name) << ": " << fmt(y, 2) << "</title></circle>";
    }
    double ly = top + 14 * legend++;
    svg << "<rect x=\"" << w - right + 10 << "\" y=\"" << ly - 8 << "\" width=\"10\" height=\"10\" fill=\"" << s.colour
        << "\"/><text x=\"" << w - right + 24 << "\" y=\"" << ly + 1 << "\" class=\"tick\">" << html_escape(s.name)
        << "</text>";
  }
  svg << "</svg>";
  return svg.str();
}

// Horizontal bars of armory's speedup over a peer per case, with the line at 1 (equal speed).
std::string ratio_bars(const std::string& title, const std::vector<std::pair<std::string, double>>& bars,
                       const std::string& bar_colour) {
  if (bars.empty()) return "";
  const double row = 18, left = 230, width = 300, top = 28;
  const double h = top + row * static_cast<double>(bars.size()) + 10;
  double vmax = 1.0;
  for (const auto& b : bars) vmax = std::max(vmax, b.second);
  vmax *= 1.15;
  auto px = [&](double v) { return left + v / vmax * width; };
  std::ostringstream svg;
  svg << "<svg class=\"chart\" viewBox=\"0 0 " << left + width + 60 << " " << h << "\" width=\"" << left + width + 60
      << "\" height=\"" << h << "\" role=\"img\" aria-label=\"" << html_escape(title) << "\">";
  svg << "<text x=\"4\" y=\"16\" class=\"title\">" << html_escape(title) << "</text>";
  for (size_t i = 0; i < bars.size(); ++i) {
    double y = top + row * static_cast<double>(i);
    svg << "<text x=\"" << left - 6 << "\" y=\"" << y + 12 << "\" class=\"tick\" text-anchor=\"end\">"
        << html_escape(bars[i].first) << "</text>";
    svg << "<rect x=\"" << left << "\" y=\"" << y + 2 << "\" width=\"" << fmt(px(bars[i].second) - left, 1)
        << "\" height=\"" << row - 5 << "\" fill=\"" << (bars[i].second >= 1 ? bar_colour : "#999") << "\"/>";
    svg << "<text x=\"" << px(bars[i].second) + 4 << "\" y=\"" << y + 12 << "\" class=\"tick\">" << fmt(bars[i].second, 2)
        << "x</text>";
  }
  svg << "<line x1=\"" << px(1) << "\" y1=\"" << top - 4 << "\" x2=\"" << px(1) << "\" y2=\"" << h - 6
      << "\" class=\"one\"/></svg>";
  return svg.str();
}

const char* kStyle = R"css(
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.good{color:#1a7f37}.bad{color:#b42318}
.chart{margin:8px 16px 8px 0;vertical-align:top}.title{font-size:13px;font-weight:600}.tick{font-size:10px;fill:#444}
.label{font-size:11px;fill:#444}.axis{stroke:#333}.grid{stroke:#eee}.one{stroke:#333;stroke-dasharray:4 3}
.status{font-weight:600}.note{color:#666;font-size:13px}
)css";

std::string header(const std::string& title) {
  return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html_escape(title) +
         "</title><style>" + kStyle + "</style></head><body><h1>" + html_escape(title) + "</h1>";
}

std::string footer() {
  // The only script: marks the page as fully parsed (the browser test checks it ran without an error).
  return "<script>document.body.dataset.ready = \"1\";</script></body></html>\n";
}

std::string machine_table(const RunInfo& run) {
  std::ostringstream s;
  s << "<table><tr><th class=\"l\">run</th><td class=\"l\">" << run.id << " <span class=\"status\">" << html_escape(run.status)
    << "</span>, " << html_escape(run.started_at) << (run.finished_at.empty() ? "" : " to " + html_escape(run.finished_at))
    << "</td></tr>";
  auto row = [&](const char* k, const std::string& v) {
    s << "<tr><th class=\"l\">" << k << "</th><td class=\"l\">" << html_escape(v) << "</td></tr>";
  };
  row("host", run.host);
  row("CPU", run.cpu_model + " (" + run.uarch + "), " + std::to_string(run.cores) + " usable cores");
  row("kernel", run.kernel);
  row("armory", run.armory_version + ", commit " + run.git_commit + ", dispatching " + run.isa);
  std::string dispatch = run.dispatch;
  std::replace(dispatch.begin(), dispatch.end(), '\n', ';');
  row("kernels", dispatch);
  auto libs = nlohmann::json::parse(run.libraries, nullptr, false);
  if (libs.is_object()) {
    for (auto& [name, version] : libs.items()) row(("peer " + name).c_str(), version.is_string() ? version.get<std::string>() : "");
  }
  row("command", run.command);
  s << "</table>";
  return s.str();
}

// The cases of one suite, grouped: comparable key -> library -> result.
using Grouped = std::map<std::string, std::map<std::string, const CaseResult*>>;

std::string suite_section(const std::string& suite, const std::vector<CaseResult>& results) {
  std::vector<const CaseResult*> mine;
  for (const auto& r : results) {
    if (r.suite == suite) mine.push_back(&r);
  }
  if (mine.empty()) return "";
  std::ostringstream s;
  static const std::map<std::string, std::string> titles = {
      {"gemm", "GEMM"}, {"svd", "SVD (seconds, lower is better)"}, {"resnet50", "ResNet50 inference"}};
  s << "<h2>" << titles.at(suite) << "</h2>";

  std::vector<std::string> order;
  Grouped grouped;
  std::set<std::string> libraries;
  for (const CaseResult* r : mine) {
    std::string key = r->name + " t=" + std::to_string(r->threads);
    if (!grouped.count(key)) order.push_back(key);
    grouped[key][r->library] = r;
    libraries.insert(r->library);
  }
  std::vector<std::string> libs(libraries.begin(), libraries.end());
  std::sort(libs.begin(), libs.end(), [](const auto& a, const auto& b) { return library_rank(a) < library_rank(b); });

  // GEMM: GFLOPS against n for the square sizes, one plot per precision and thread count.
  if (suite == "gemm") {
    std::map<std::string, std::map<std::string, Series>> plots;  // "f32, 1 thread" -> library -> series
    for (const CaseResult* r : mine) {
      if (r->name.find(" n=") == std::string::npos) continue;
      std::string title = r->precision + ", " + std::to_string(r->threads) + (r->threads == 1 ? " thread" : " threads");
      Series& series = plots[title][r->library];
      series.name = r->library;
      series.colour = colour(r->library);
      series.points.emplace_back(static_cast<double>(r->n), r->gflops());
    }
    for (auto& [title, by_lib] : plots) {
      std::vector<Series> series;
      for (const auto& lib : libs) {
        if (by_lib.count(lib)) series.push_back(by_lib[lib]);
      }
      s << line_chart("GEMM " + title, "n (square)", "GFLOPS", series, true);
    }
  }
  // armory's speedup over each peer, per case.
  for (const auto& lib : libs) {
    if (lib == "armory") continue;
    std::vector<std::pair<std::string, double>> bars;
    for (const auto& key : order) {
      auto& g = grouped[key];
      if (g.count("armory") && g.count(lib)) bars.emplace_back(key, ratio_to_armory(*g[lib], results));
    }
    s << ratio_bars("armory's speedup over " + lib, bars, colour("armory"));
  }
  // The table: every figure, the share of peak, and the speedups.
  s << "<table><tr><th class=\"l\">case</th>";
  for (const auto& lib : libs) s << "<th>" << html_escape(lib) << "</th>";
  s << "<th>armory % of peak</th>";
  for (const auto& lib : libs) {
    if (lib != "armory") s << "<th>vs " << html_escape(lib) << "</th>";
  }
  s << "</tr>";
  for (const auto& key : order) {
    auto& g = grouped[key];
    s << "<tr><td class=\"l\">" << html_escape(key) << "</td>";
    for (const auto& lib : libs) {
      s << "<td>" << (g.count(lib) ? figure_text(*g[lib]) : "—") << "</td>";
    }
    const CaseResult* a = g.count("armory") ? g["armory"] : nullptr;
    s << "<td>" << (a && a->peak_gflops > 0 && a->gflops() > 0 ? fmt(100 * a->gflops() / a->peak_gflops, 0) + "%" : "—")
      << "</td>";
    for (const auto& lib : libs) {
      if (lib == "armory") continue;
      double ratio = g.count(lib) ? ratio_to_armory(*g[lib], results) : 0;
      s << "<td class=\"" << (ratio >= 1 ? "good" : ratio > 0 ? "bad" : "") << "\">" << (ratio > 0 ? fmt(ratio, 2) + "x" : "—")
        << "</td>";
    }
    s << "</tr>";
  }
  s << "</table>";
  return s.str();
}

// armory's own figure per case over the runs in the database: did it get faster?
std::string history_section(const Store& store) {
  auto history = store.history();
  if (!history) return "";
  std::map<std::string, Series> series;  // case -> points (run id, figure)
  std::map<std::string, std::set<int64_t>> runs_of;
  for (const auto& [run, r] : history.value()) {
    if (r.library != "armory" || r.gflops() <= 0) continue;
    std::string key = r.suite + " " + r.name + " t=" + std::to_string(r.threads);
    runs_of[key].insert(run);
    series[key].name = key;
    series[key].points.emplace_back(static_cast<double>(run), r.gflops());
  }
  std::vector<Series> shown;
  for (auto& [key, s] : series) {
    if (runs_of[key].size() < 2 || shown.size() >= 8) continue;
    s.colour = kPalette[shown.size() % 8];
    shown.push_back(s);
  }
  if (shown.empty()) return "<h2>History</h2><p class=\"note\">No case has been measured by two runs yet: the history plot needs two.</p>";
  return "<h2>History</h2>" + line_chart("armory GFLOPS by run", "run", "GFLOPS", shown, false);
}

std::string compare_section(const RunInfo& a, const std::vector<CaseResult>& ra, const RunInfo& b,
                            const std::vector<CaseResult>& rb) {
  std::ostringstream s;
  s << "<h2>Run " << a.id << " → run " << b.id << "</h2><table><tr><th class=\"l\">case</th><th class=\"l\">library</th>"
    << "<th>run " << a.id << "</th><th>run " << b.id << "</th><th>change</th></tr>";
  std::map<std::string, const CaseResult*> before;
  for (const auto& r : ra) before[r.comparable_key() + "|" + r.library] = &r;
  for (const auto& r : rb) {
    auto it = before.find(r.comparable_key() + "|" + r.library);
    if (it == before.end()) continue;
    // Speed change: > 0 is faster in the second run, whichever figure the case uses.
    double change = r.seconds.median > 0 ? it->second->seconds.median / r.seconds.median - 1 : 0;
    s << "<tr><td class=\"l\">" << html_escape(r.suite + " " + r.name + " t=" + std::to_string(r.threads))
      << "</td><td class=\"l\">" << html_escape(r.library) << "</td><td>" << figure_text(*it->second) << "</td><td>"
      << figure_text(r) << "</td><td class=\"" << (change >= 0 ? "good" : "bad") << "\">" << (change >= 0 ? "+" : "")
      << fmt(100 * change, 1) << "%</td></tr>";
  }
  s << "</table>";
  return s.str();
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Result<std::string> render_report(const Store& store, int64_t run_id, int64_t compare_id) {
  if (run_id == 0) {
    auto runs = store.runs();
    if (!runs) return runs.status();
    if (runs->empty()) return error(Errc::not_found, "the database has no runs yet: run `armory bench` first");
    run_id = runs->front().id;
  }
  auto run = store.run(run_id);
  if (!run) return run.status();
  if (!run->has_value()) return error(Errc::not_found, "no run " + std::to_string(run_id) + " in the database");
  auto results = store.results(run_id);
  if (!results) return results.status();
  if (compare_id != 0) {
    auto other = store.run(compare_id);
    if (!other) return other.status();
    if (!other->has_value()) return error(Errc::not_found, "no run " + std::to_string(compare_id) + " in the database");
    auto other_results = store.results(compare_id);
    if (!other_results) return other_results.status();
    std::string html = header("armory bench: run " + std::to_string(run_id) + " vs run " + std::to_string(compare_id));
    html += compare_section(run.value().value(), results.value(), other.value().value(), other_results.value());
    html += "<h2>Run " + std::to_string(run_id) + "</h2>" + machine_table(run.value().value());
    html += "<h2>Run " + std::to_string(compare_id) + "</h2>" + machine_table(other.value().value());
    return html + footer();
  }
  std::string html = header("armory bench: run " + std::to_string(run_id));
  html += machine_table(run.value().value());
  if (results->empty()) html += "<p class=\"note\">This run has no results (yet).</p>";
  for (const std::string& suite : kSuiteNames) html += suite_section(suite, results.value());
  html += history_section(store);
  return html + footer();
}

}  // namespace armory::bench
