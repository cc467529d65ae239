// RETURN options for SEARCH and SORT and the ESEARCH data they produce (see
// search_return.hpp).
#include "imapd/search_return.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "imapd/selected_view.hpp"

namespace correio::imapd {
namespace {

// nz-number: 1 to 4294967295 (RFC 9051 §9), digits only.
std::optional<uint32_t> nz_number(std::string_view s) {
  if (s.empty() || s.front() == '0' || s.size() > 10) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(value);
}

}  // namespace

std::optional<PartialRange> parse_partial_range(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view a = text.substr(0, colon), b = text.substr(colon + 1);
  bool a_neg = !a.empty() && a.front() == '-';
  bool b_neg = !b.empty() && b.front() == '-';
  if (a_neg != b_neg) return std::nullopt;  // "-1:5" is neither form
  if (a_neg) {
    a.remove_prefix(1);
    b.remove_prefix(1);
  }
  auto first = nz_number(a), second = nz_number(b);
  if (!first || !second) return std::nullopt;
  PartialRange range;
  range.low = std::min(*first, *second);  // "500:400" is "400:500" (RFC 9394 §4)
  range.high = std::max(*first, *second);
  range.from_end = a_neg;
  range.text = std::string(text);
  return range;
}

std::vector<uint32_t> partial_window(const std::vector<uint32_t>& results,
                                     const PartialRange& range) {
  std::vector<uint32_t> out;
  size_t n = results.size();
  if (range.low > n) return out;
  size_t high = std::min<size_t>(range.high, n);
  if (!range.from_end) {
    out.assign(results.begin() + static_cast<std::ptrdiff_t>(range.low - 1),
               results.begin() + static_cast<std::ptrdiff_t>(high));
  } else {
    // -1 is the last result: positions n-high+1 .. n-low+1, kept in result order.
    out.assign(results.begin() + static_cast<std::ptrdiff_t>(n - high),
               results.begin() + static_cast<std::ptrdiff_t>(n - range.low + 1));
  }
  return out;
}

std::vector<size_t> returned_positions(size_t results, const ReturnOptions& options) {
  std::vector<size_t> out;
  bool whole = options.all || options.count || (!options.min && !options.max && !options.partial);
  if (whole) {
    out.resize(results);
    for (size_t i = 0; i < results; ++i) out[i] = i;
    return out;
  }
  if (results == 0) return out;
  if (options.min) out.push_back(0);
  if (options.max) out.push_back(results - 1);
  if (options.partial) {
    std::vector<uint32_t> positions(results);
    for (size_t i = 0; i < results; ++i) positions[i] = static_cast<uint32_t>(i);
    for (uint32_t i : partial_window(positions, *options.partial)) out.push_back(i);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<ReturnOptions> parse_return_options(Parser& p, bool search) {
  ReturnOptions options;
  if (!p.consume('(')) {
    p.fail("Invalid RETURN options");
    return std::nullopt;
  }
  bool any = false;  // an option was read: the next one needs a SP before it
  auto once = [&](bool& flag, std::string_view name) {
    if (flag) return p.fail(fmt::format("RETURN option {} given twice", name));
    flag = true;
    return true;
  };
  while (!p.consume(')')) {
    if (any && !p.space()) {
      p.fail("Invalid RETURN options");
      return std::nullopt;
    }
    auto word = p.atom();
    if (!word) {
      p.fail("Invalid RETURN options");
      return std::nullopt;
    }
    any = true;
    std::string u = upper(*word);
    bool ok = true;
    if (u == "MIN") {
      ok = once(options.min, u);
    } else if (u == "MAX") {
      ok = once(options.max, u);
    } else if (u == "ALL") {
      ok = once(options.all, u);
    } else if (u == "COUNT") {
      ok = once(options.count, u);
    } else if (u == "SAVE" && search) {
      ok = once(options.save, u);
    } else if (u == "UPDATE") {  // CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4.2)
      ok = once(options.update, u);
    } else if (u == "CONTEXT") {
      ok = once(options.context, u);
    } else if (u == "PARTIAL") {
      // The range is an atom: a quoted "1:5" is not a partial-range.
      auto text = options.partial ? std::nullopt : (p.space() ? p.atom() : std::nullopt);
      auto range = text ? parse_partial_range(*text) : std::nullopt;
      if (!range) {
        p.fail(options.partial ? "RETURN option PARTIAL given twice" : "Invalid PARTIAL range");
        return std::nullopt;
      }
      options.partial = std::move(range);
    } else {
      p.fail("Unknown RETURN option " + u);
      return std::nullopt;
    }
    if (!ok) return std::nullopt;
  }
  if (options.partial && options.all) {
    p.fail("RETURN options PARTIAL and ALL exclude each other");
    return std::nullopt;
  }
  bool asks = options.min || options.max || options.all || options.count || options.save ||
              options.update || options.partial;
  if (!asks) options.all = true;  // RETURN () means ALL (RFC 4731 §3.1)
  return options;
}

std::string esearch_return_data(const std::vector<uint32_t>& results, const ReturnOptions& options,
                                bool sorted_all) {
  std::string out;
  if (!results.empty()) {
    if (options.min) out += fmt::format(" MIN {}", results.front());
    if (options.max) out += fmt::format(" MAX {}", results.back());
    if (options.all) {
      if (sorted_all) {
        std::vector<uint32_t> sorted = results;
        std::sort(sorted.begin(), sorted.end());
        out += " ALL " + format_number_set(sorted);
      } else {
        out += " ALL " + format_number_set(results);
      }
    }
  }
  if (options.partial) {
    // RFC 9394 §3.1: the range as requested, then the results in it or NIL.
    auto window = partial_window(results, *options.partial);
    out += fmt::format(" PARTIAL ({} {})", options.partial->text,
                       window.empty() ? std::string("NIL") : format_number_set(window));
  }
  if (options.count) out += fmt::format(" COUNT {}", results.size());
  return out;
}

}  // namespace correio::imapd
