// smtpd's configuration check for check, start and reload (see smtpd.hpp): the same
// Restrictions object a session uses, built once, asked for its configuration error.
#include <fmt/format.h>

#include "base/strings.hpp"
#include "cleanup/address_rewrite.hpp"
#include "cleanup/check_tables.hpp"
#include "milter/settings.hpp"
#include "resolve/content_filter.hpp"
#include "resolve/resolver.hpp"
#include "service/server_tls.hpp"
#include "smtpd/client_networks.hpp"
#include "smtpd/header_rewrite_clients.hpp"
#include "smtpd/restrictions.hpp"
#include "smtpd/settings.hpp"
#include "smtpd/smtpd.hpp"

namespace correio::smtpd {

std::vector<std::string> check_configuration(const config::Config& config) {
  std::vector<std::string> problems = service::tls_policy_problems(config, "smtpd");
  for (auto& problem : cleanup::content_check_problems(config, ""))
    problems.push_back(std::move(problem));
  // content_filter: FILTER_README's "transport:destination"; a bad one would queue mail
  // that qmgr can only defer.
  if (std::string filter = config.get("content_filter"); !base::trim(filter).empty()) {
    if (auto parsed = resolve::parse_content_filter(filter); !parsed) {
      std::string where = config.location("content_filter");
      problems.push_back(fmt::format("{}{}error: content_filter: {}", where,
                                     where.empty() ? "" : ": ", parsed.error().message));
    }
  }
  // smtpd_milters and the milter_* settings (milter/settings.hpp).
  if (auto milters = milter::Settings::from_config(config, "smtpd_milters"); !milters)
    problems.push_back("error: " + milters.error().message);
  // The domain lists (map-valued: a table of an unknown type or a missing file).
  auto resolver = resolve::Resolver::open(config);
  if (!resolver) {
    // "FILE:LINE: parameter: text" -> "FILE:LINE: error: parameter: text"
    const std::string& text = resolver.error().message;
    auto at = text.find(": ");
    bool located = at != std::string::npos && text.find(".cf:") < at;
    problems.push_back(located ? text.substr(0, at) + ": error: " + text.substr(at + 2)
                               : "error: " + text);
    return problems;
  }
  // The network lists (a bad address, a missing pattern file or table): Postfix's smtpd
  // dies on them rather than guess who is trusted or exempt.
  std::string style = config.get("mynetworks_style");
  if (style != "host" && style != "subnet" && style != "class") {
    std::string where = config.location("mynetworks_style");
    problems.push_back(fmt::format("{}{}error: mynetworks_style: unknown value: {}", where,
                                   where.empty() ? "" : ": ", style));
  }
  std::string mynetworks = config.get("mynetworks");
  bool mynetworks_bad = false;
  for (const char* name : {"mynetworks", "smtpd_client_event_limit_exceptions",
                           "smtpd_forbid_bare_newline_exclusions"}) {
    std::string value = config.get(name);
    auto list = ClientNetworks::parse(value);
    if (list) continue;
    // The lists that default to $mynetworks would only repeat its error.
    if (mynetworks_bad && value == mynetworks) continue;
    mynetworks_bad = mynetworks_bad || std::string_view(name) == "mynetworks";
    std::string where = config.location(name);
    problems.push_back(fmt::format("{}{}error: {}: {}", where, where.empty() ? "" : ": ", name,
                                   list.error().message));
  }
  // cleanup's tables and address classes, and which clients get header rewriting: a
  // table smtpd could not open at start is reported here first.
  auto located = [&](const std::string& text) {
    std::string where = config.location(text.substr(0, text.find(':')));
    return fmt::format("{}{}error: {}", where, where.empty() ? "" : ": ", text);
  };
  auto overrides = cleanup::ReceiveOverrides::parse(config.get("receive_override_options"));
  if (!overrides) {
    std::string where = config.location("receive_override_options");
    problems.push_back(
        fmt::format("{}{}error: {}", where, where.empty() ? "" : ": ", overrides.error().message));
  } else if (auto rewriter = cleanup::AddressRewriter::open(config, *overrides); !rewriter) {
    problems.push_back(located(rewriter.error().message));
  }
  if (auto clients = HeaderRewriteClients::parse(config.get("local_header_rewrite_clients"), {});
      !clients)
    problems.push_back(located(clients.error().message));
  // unknown_*_reject_code: Postfix wants a 4xx (while testing a table) or 5xx code.
  for (const char* name :
       {"unknown_local_recipient_reject_code", "unknown_virtual_mailbox_reject_code"}) {
    long long code = config.get_int(name);
    if (code < 400 || code > 599) {
      std::string where = config.location(name);
      problems.push_back(fmt::format("{}{}error: {}: {}: not a 4xx or 5xx reply code", where,
                                     where.empty() ? "" : ": ", name, code));
    }
  }
  Settings s = Settings::from_config(config);
  base::Logger::Options quiet;
  quiet.process_name = "smtpd";
  quiet.maillog_file = "/dev/null";
  base::Logger log(std::move(quiet));
  Restrictions restrictions(restriction_options(config, &*resolver), log);
  const auto& problem = restrictions.configuration_error();
  if (!problem) return problems;
  // The message starts with the parameter it is about, when there is one.
  std::string parameter = problem->substr(0, problem->find(':'));
  std::string where = config.location(parameter);
  if (where.empty()) {
    for (const char* name : {"smtpd_relay_restrictions", "smtpd_recipient_restrictions"})
      if (where.empty()) where = config.location(name);
  }
  problems.push_back(fmt::format("{}{}error: {}", where, where.empty() ? "" : ": ", *problem));
  return problems;
}

}  // namespace correio::smtpd
