// Recipient expansion (see expand.hpp). The loop rules are Postfix's: an alias that names
// itself ("root: root, other") goes to the mailbox instead of looking itself up again;
// any other alias met twice in one expansion is a forwarding loop; a .forward met twice
// ends at the user's mailbox.
#include "delivery/local/expand.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <set>

#include "base/strings.hpp"
#include "delivery/local/local_expand.hpp"

namespace correio::delivery::local_agent {
namespace {

constexpr size_t kMaxIncludeFile = 1 << 20;

struct Expander {
  maps::Map* aliases;
  const AgentSettings& settings;
  std::vector<Destination> out;
  std::set<std::string> aliases_seen, forwards_seen, delivered;

  void fail(const std::string& address, DeliveryStatus status, std::string dsn, std::string text) {
    Destination d;
    d.address = address;
    d.status = status;
    d.dsn = std::move(dsn);
    d.text = std::move(text);
    out.push_back(std::move(d));
  }

  Result<bool> is_local_domain(const std::string& domain, const std::string& current) const {
    if (domain == current || !settings.resolver) return domain == current;
    auto cls = settings.resolver->classify_domain(domain);
    if (!cls) return cls.error();
    return *cls == resolve::AddressClass::kLocal;
  }

  std::string base_name(const std::string& local) const {
    size_t cut = settings.recipient_delimiter.empty()
                     ? std::string::npos
                     : local.find_first_of(settings.recipient_delimiter);
    return cut == 0 || cut == std::string::npos ? local : local.substr(0, cut);
  }

  // One local recipient: aliases, then the system user's .forward, then the mailbox.
  void local(const std::string& local_part, const std::string& domain, bool use_aliases,
             bool use_forward, int depth) {
    std::string address = local_part + "@" + domain;
    if (depth > settings.max_expansion_depth)
      return fail(address, DeliveryStatus::bounced, "5.4.6",
                  "alias expansion depth limit exceeded for " + address);
    if (use_aliases && aliases) {
      auto found = maps::lookup_address(*aliases, local_part, settings.recipient_delimiter,
                                        maps::AddressForm::kLocalPart);
      if (!found)
        return fail(address, DeliveryStatus::deferred, "4.3.0",
                    "alias database unavailable: " + found.error().message);
      if (*found) {
        const std::string& key = (*found)->key;
        if (!aliases_seen.insert(key).second)
          return fail(address, DeliveryStatus::bounced, "5.4.6",
                      "mail forwarding loop for " + address);
        for (const auto& item : split_destinations((*found)->value))
          this->item(item, "alias", nullptr, address, domain, key, depth + 1);
        return;
      }
    }
    std::string name = base_name(local_part);
    auto user = settings.lookup_user(name);
    // The role accounts must reach someone even without an alias (RFC 5321 §4.5.1,
    // RFC 2142 §2): abuse goes to postmaster, postmaster to root (and root's alias).
    if (!user && (name == "abuse" || name == "postmaster"))
      return local(name == "abuse" ? "postmaster" : "root", domain, true, true, depth + 1);
    if (!user && settings.transports_take_unknown_users()) {
      // Postfix hands even unknown users to a mailbox transport (the server behind it
      // knows its users); without one for this user, agent.cpp bounces it as below.
      if (!delivered.insert("mailbox:" + name).second) return;
      Destination d;
      d.kind = Destination::Kind::mailbox;
      d.address = address;
      d.user.name = name;
      d.status = DeliveryStatus::bounced;
      d.dsn = "5.1.1";
      d.text = fmt::format("unknown user: \"{}\"", local_part);
      out.push_back(std::move(d));
      return;
    }
    if (!user && !settings.luser_relay.empty()) return luser(name, local_part, domain, depth);
    if (!user)
      return fail(address, DeliveryStatus::bounced, "5.1.1",
                  fmt::format("unknown user: \"{}\"", local_part));
    if (use_forward && forwards_seen.insert(user->name).second &&
        forward(*user, address, domain, depth))
      return;
    if (!delivered.insert("mailbox:" + user->name).second) return;
    Destination d;
    d.kind = Destination::Kind::mailbox;
    d.address = address;
    d.user = *user;
    d.have_user = true;
    out.push_back(std::move(d));
  }

  // luser_relay: an unknown user's mail goes to the catch-all address, with Postfix's
  // $name expansions ("admin+$local"). Only an address: no |command or /file here.
  void luser(const std::string& name, const std::string& local_part, const std::string& domain,
             int depth) {
    std::string address = local_part + "@" + domain;
    auto lookup = [&](std::string_view n) -> std::optional<std::string> {
      if (n == "user") return name;
      if (n == "local") return local_part;
      if (n == "domain") return domain;
      if (n == "recipient") return address;
      if (local_part.size() > name.size() && local_part.starts_with(name)) {
        if (n == "extension") return local_part.substr(name.size() + 1);
        if (n == "recipient_delimiter") return local_part.substr(name.size(), 1);
      }
      return std::nullopt;
    };
    // ${extension} and the like may be empty: only a malformed value is refused.
    auto relay = local_expand(settings.luser_relay, lookup, settings.forward_expansion_filter,
                              /*allow_undefined=*/true);
    if (!relay || relay->empty() || relay->front() == '|' || relay->front() == '/')
      return fail(address, DeliveryStatus::deferred, "4.3.5",
                  "mail system configuration error: luser_relay = " + settings.luser_relay);
    item(*relay, "luser", nullptr, address, domain, "", depth + 1);
  }

  // The first forward_path file that exists, if the user owns it; true when it named at
  // least one destination. An entry with a $name that has no value (no extension, say) is
  // skipped, as Postfix's local(8) does.
  bool forward(const SystemUser& user, const std::string& address, const std::string& domain,
               int depth) {
    std::string local_part = address.substr(0, address.rfind('@'));
    size_t cut = settings.recipient_delimiter.empty()
                     ? std::string::npos
                     : local_part.find_first_of(settings.recipient_delimiter);
    bool has_extension = cut != std::string::npos && cut > 0;
    auto lookup = [&](std::string_view name) -> std::optional<std::string> {
      if (name == "user") return user.name;
      if (name == "home") return user.home;
      if (name == "shell") return user.shell;
      if (name == "recipient") return address;
      if (name == "local") return local_part;
      if (name == "domain") return domain;
      if (name == "extension" && has_extension) return local_part.substr(cut + 1);
      if (name == "recipient_delimiter" && has_extension) return local_part.substr(cut, 1);
      return std::nullopt;
    };
    std::string path;
    struct stat st {};
    for (const auto& entry : settings.forward_path) {
      auto expanded = local_expand(entry, lookup, settings.forward_expansion_filter);
      if (!expanded || expanded->empty()) continue;
      if (::stat(expanded->c_str(), &st) == 0) {
        path = std::move(*expanded);
        break;
      }
    }
    if (path.empty() || !S_ISREG(st.st_mode) || st.st_uid != user.uid) return false;
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    bool any = false;
    for (const auto& line : base::split_any(text, "\n")) {
      std::string_view l = base::trim(line);
      if (l.empty() || l.front() == '#') continue;
      for (const auto& it : split_destinations(l)) {
        any = true;
        item(it, "forward", &user, address, domain, "", depth + 1);
      }
    }
    return any;
  }

  void include(const std::string& path, const SystemUser* privs, const std::string& address,
               const std::string& domain, int depth) {
    struct stat st {};
    std::ifstream in(path);
    if (!in || ::stat(path.c_str(), &st) != 0 || static_cast<size_t>(st.st_size) > kMaxIncludeFile)
      return fail(address, DeliveryStatus::deferred, "4.3.0", "cannot open include file " + path);
    // The file's owner (unless root) is who its commands and files run as.
    std::optional<SystemUser> owner;
    if (st.st_uid != 0) owner = SystemUser{"", st.st_uid, st.st_gid, "/", "/bin/sh"};
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (const auto& line : base::split_any(text, "\n")) {
      std::string_view l = base::trim(line);
      if (l.empty() || l.front() == '#') continue;
      for (const auto& it : split_destinations(l))
        item(it, "include", owner ? &*owner : privs, address, domain, "", depth + 1);
    }
  }

  // One destination named by an alias, include file or .forward of class `cls`.
  void item(const std::string& raw, const std::string& cls, const SystemUser* privs,
            const std::string& address, const std::string& domain, const std::string& alias_key,
            int depth) {
    std::string it = raw;
    if (it.starts_with("\\")) {  // \user: straight to the mailbox
      return local(base::to_lower(it.substr(1)), domain, false, false, depth);
    }
    if (it.starts_with("|") || it.starts_with("/")) {
      bool command = it.front() == '|';
      const auto& allowed = command ? settings.allow_commands : settings.allow_files;
      if (!allowed.count(cls))
        return fail(address, DeliveryStatus::bounced, "5.7.1",
                    fmt::format("mail to {} is restricted", command ? "command" : "file"));
      std::string target = command ? std::string(base::trim(it.substr(1))) : it;
      if (command && target.size() >= 2 && target.front() == '"' && target.back() == '"')
        target = target.substr(1, target.size() - 2);  // |"cmd args" as well as "|cmd args"
      if (!delivered.insert(it).second) return;
      Destination d;
      d.kind = command ? Destination::Kind::command : Destination::Kind::file;
      d.address = address;
      d.target = target;
      if (privs) d.user = *privs, d.have_user = true;
      out.push_back(std::move(d));
      return;
    }
    if (base::starts_with_icase(it, ":include:"))
      return include(std::string(base::trim(it.substr(9))), privs, address, domain, depth);
    size_t at = it.rfind('@');
    std::string local_part = base::to_lower(it.substr(0, at));
    std::string dom = at == std::string::npos ? domain : base::to_lower(it.substr(at + 1));
    auto local_domain = is_local_domain(dom, domain);
    if (!local_domain)
      return fail(it, DeliveryStatus::deferred, "4.3.0",
                  "address resolver failure: " + local_domain.error().message);
    if (!*local_domain) {
      // Postfix's local(8) delivers addresses that resolve to itself in-process and
      // forwards the rest through cleanup, so that they are rewritten like new mail.
      if (!delivered.insert("forward:" + base::to_lower(it)).second) return;
      Destination d;
      d.kind = Destination::Kind::forward;
      d.address = it;
      d.target = address;
      out.push_back(std::move(d));
      return;
    }
    // "root: root, other": the alias names itself; deliver to the mailbox.
    bool self =
        !alias_key.empty() && (local_part == alias_key || base_name(local_part) == alias_key);
    local(local_part, dom, !self, true, depth);
  }
};

}  // namespace

std::vector<std::string> split_destinations(std::string_view value) {
  std::vector<std::string> out;
  std::string current;
  bool quoted = false;
  auto flush = [&] {
    std::string_view t = base::trim(current);
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    // "|cmd" keeps its quotes removed; a quoted local part keeps what is inside.
    if (!t.empty()) out.emplace_back(t);
    current.clear();
  };
  for (char c : value) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      flush();
      continue;
    }
    current += c;
  }
  flush();
  return out;
}

std::vector<Destination> expand_recipient(const std::string& address, maps::Map* aliases,
                                          const AgentSettings& settings) {
  Expander e{aliases, settings, {}, {}, {}, {}};
  size_t at = address.rfind('@');
  std::string local_part = base::to_lower(address.substr(0, at));
  std::string domain = at == std::string::npos ? "" : base::to_lower(address.substr(at + 1));
  e.local(local_part, domain, true, true, 0);
  return std::move(e.out);
}

}  // namespace correio::delivery::local_agent
