// Content inspection on the way out (see content_checks.hpp).
#include "delivery/smtp/content_checks.hpp"

#include "cleanup/content_inspector.hpp"

namespace correio::delivery::smtp_agent {

Result<std::shared_ptr<cleanup::CheckTables>> open_content_checks(const config::Config& config,
                                                                  std::string_view prefix,
                                                                  base::Logger& log) {
  auto tables = cleanup::CheckTables::open(config, prefix, log, cleanup::CheckUse::delivery);
  if (!tables) return tables.error();
  if (!tables->any()) return std::shared_ptr<cleanup::CheckTables>{};
  return std::make_shared<cleanup::CheckTables>(std::move(*tables));
}

Result<std::string> inspect_outgoing(const cleanup::CheckTables& tables, std::string_view content,
                                     const std::string& queue_id, const std::string& sender,
                                     base::Logger& log) {
  cleanup::ContentInspector inspector(tables, {queue_id, "", sender, "", "", ""}, log);
  std::string out;
  out.reserve(content.size());
  inspector.feed(content, out);
  inspector.finish(out);
  // Only a failed lookup or an action that could not be refused at start gets here.
  if (const auto& reject = inspector.verdict().reject) return Error{*reject};
  return out;
}

}  // namespace correio::delivery::smtp_agent
