// The header fields milters produced, through milter_header_checks (see the header).
#include "cleanup/produced_header_checks.hpp"

#include <map>
#include <string_view>

namespace correio::cleanup {

CheckVerdict check_produced_headers(const CheckTables& tables, CheckContext context,
                                    base::Logger& log, const std::vector<std::string>& before,
                                    std::vector<std::string>& headers) {
  // A field that occurs several times is matched count by count.
  std::map<std::string_view, int> old;
  for (const auto& f : before) ++old[f];
  std::vector<size_t> produced;
  for (size_t i = 0; i < headers.size(); ++i) {
    auto it = old.find(headers[i]);
    if (it != old.end() && it->second > 0)
      --it->second;
    else
      produced.push_back(i);
  }
  if (produced.empty()) return {};
  ContentInspector inspector(tables, std::move(context), log);
  // One field at a time: what IGNORE removed comes back empty, what REPLACE changed
  // comes back changed.
  std::vector<size_t> ignored;
  for (size_t i : produced) {
    std::string kept;
    inspector.own_header(headers[i], kept);
    if (inspector.stopped()) break;
    if (kept.empty())
      ignored.push_back(i);
    else
      headers[i] = std::move(kept);
  }
  for (auto it = ignored.rbegin(); it != ignored.rend(); ++it)
    headers.erase(headers.begin() + static_cast<std::ptrdiff_t>(*it));
  return inspector.verdict();
}

}  // namespace correio::cleanup
