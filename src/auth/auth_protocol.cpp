// The auth service's line protocol (see auth_protocol.hpp): parsing and formatting only.
#include "auth/auth_protocol.hpp"

#include <fmt/format.h>

#include <charconv>

#include "base/base64.hpp"

namespace correio::auth::protocol {
namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  while (true) {
    size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
    if (tab == std::string_view::npos) return fields;
    start = tab + 1;
  }
}

std::optional<unsigned long> parse_number(std::string_view text) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

// "key=value" gives {key, value}; a bare word gives {word, nullopt}.
std::pair<std::string_view, std::optional<std::string_view>> key_value(std::string_view field) {
  size_t eq = field.find('=');
  if (eq == std::string_view::npos) return {field, std::nullopt};
  return {field.substr(0, eq), field.substr(eq + 1)};
}

Result<std::string> unescaped(std::string_view field, std::string_view what) {
  auto text = tab_unescape(field);
  if (!text) return Error{fmt::format("{}: bad escape", what)};
  return std::move(*text);
}

Result<std::string> decoded(std::string_view field, std::string_view what) {
  auto bytes = base::base64_decode(field);
  if (!bytes) return Error{fmt::format("{}: bad base64", what)};
  return std::move(*bytes);
}

Result<ClientLine> parse_auth(const std::vector<std::string_view>& f) {
  if (f.size() < 3) return Error{"AUTH: missing id or mechanism"};
  auto id = parse_number(f[1]);
  if (!id) return Error{"AUTH: bad id"};
  AuthStart request;
  request.id = *id;
  auto mechanism = unescaped(f[2], "AUTH");
  if (!mechanism) return mechanism.error();
  request.mechanism = std::move(*mechanism);
  for (size_t i = 3; i < f.size(); ++i) {
    auto [key, value] = key_value(f[i]);
    if (!value) {
      if (key == "secured") request.secured = true;
      if (key == "no-penalty") request.no_penalty = true;
      if (key == "correio-noplaintext") request.no_plaintext = true;
      if (key == "correio-noscram") request.no_scram = true;
      continue;
    }
    auto text = unescaped(*value, "AUTH");
    if (!text) return text.error();
    if (key == "service") request.service = std::move(*text);
    if (key == "rip") request.remote_address = std::move(*text);
    if (key == "lip") request.local_address = std::move(*text);
    if (key == "resp" || key == "correio-cbind-exporter" || key == "correio-cbind-endpoint") {
      auto bytes = decoded(*text, "AUTH");
      if (!bytes) return bytes.error();
      if (key == "resp") request.initial_response = std::move(*bytes);
      if (key == "correio-cbind-exporter") request.bindings.tls_exporter = std::move(*bytes);
      if (key == "correio-cbind-endpoint")
        request.bindings.tls_server_end_point = std::move(*bytes);
    }
  }
  return ClientLine{std::move(request)};
}

Result<Version> parse_version(const std::vector<std::string_view>& f) {
  if (f.size() < 3) return Error{"VERSION: missing numbers"};
  auto major = parse_number(f[1]), minor = parse_number(f[2]);
  if (!major || !minor || *major > 1000 || *minor > 1000) return Error{"VERSION: bad numbers"};
  return Version{static_cast<unsigned>(*major), static_cast<unsigned>(*minor)};
}

Result<Failure> parse_failure(const std::vector<std::string_view>& f) {
  if (f.size() < 2) return Error{"FAIL: missing id"};
  auto id = parse_number(f[1]);
  if (!id) return Error{"FAIL: bad id"};
  Failure failure;
  failure.id = *id;
  for (size_t i = 2; i < f.size(); ++i) {
    auto [key, value] = key_value(f[i]);
    if (!value) {
      if (key == "temp") failure.kind = SaslStep::Failure::temporary;
      continue;
    }
    auto text = unescaped(*value, "FAIL");
    if (!text) return text.error();
    if (key == "user") failure.user = std::move(*text);
    if (key == "reason") failure.reason = std::move(*text);
    if (key == "code" && *text == "authz_fail") failure.kind = SaslStep::Failure::authorization;
    if (key == "code" && *text == "correio-malformed") failure.kind = SaslStep::Failure::malformed;
    if (key == "code" && *text == "correio-locked-out") failure.locked_out = true;
    if (key == "correio-failures") {
      auto n = parse_number(*text);
      if (!n || *n > 1'000'000) return Error{"FAIL: bad correio-failures"};
      failure.failures = static_cast<int>(*n);
    }
  }
  return failure;
}

std::string encoded_field(std::string_view key, std::string_view bytes) {
  return fmt::format("\t{}={}", key, base::base64_encode(bytes));
}

}  // namespace

std::string tab_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\001':
        out += "\0011";
        break;
      case '\t':
        out += "\001t";
        break;
      case '\r':
        out += "\001r";
        break;
      case '\n':
        out += "\001n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::optional<std::string> tab_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\001') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '1':
        out += '\001';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'n':
        out += '\n';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

Result<ClientLine> parse_client_line(std::string_view line) {
  auto f = split_tabs(line);
  if (f[0] == "VERSION") {
    auto version = parse_version(f);
    if (!version) return version.error();
    return ClientLine{*version};
  }
  if (f[0] == "CPID") {
    auto pid = f.size() == 2 ? parse_number(f[1]) : std::nullopt;
    if (!pid) return Error{"CPID: bad pid"};
    return ClientLine{ClientPid{*pid}};
  }
  if (f[0] == "AUTH") return parse_auth(f);
  if (f[0] == "CONT") {
    if (f.size() != 3) return Error{"CONT: want id and response"};
    auto id = parse_number(f[1]);
    if (!id) return Error{"CONT: bad id"};
    auto bytes = decoded(f[2], "CONT");
    if (!bytes) return bytes.error();
    return ClientLine{AuthContinue{*id, std::move(*bytes)}};
  }
  return Error{fmt::format("unknown command ({} bytes)", f[0].size())};
}

std::string format_client_handshake(unsigned long pid) {
  return fmt::format("VERSION\t{}\t{}\nCPID\t{}\n", kMajorVersion, kMinorVersion, pid);
}

std::string format_auth(const AuthStart& r) {
  std::string line =
      fmt::format("AUTH\t{}\t{}\tservice={}", r.id, tab_escape(r.mechanism), tab_escape(r.service));
  if (!r.local_address.empty()) line += "\tlip=" + tab_escape(r.local_address);
  if (!r.remote_address.empty()) line += "\trip=" + tab_escape(r.remote_address);
  if (r.secured) line += "\tsecured";
  if (r.no_penalty) line += "\tno-penalty";
  if (r.no_plaintext) line += "\tcorreio-noplaintext";
  if (r.no_scram) line += "\tcorreio-noscram";
  if (r.bindings.tls_exporter)
    line += encoded_field("correio-cbind-exporter", *r.bindings.tls_exporter);
  if (r.bindings.tls_server_end_point)
    line += encoded_field("correio-cbind-endpoint", *r.bindings.tls_server_end_point);
  if (r.initial_response) line += encoded_field("resp", *r.initial_response);
  return line + "\n";
}

std::string format_continue(unsigned long id, std::string_view response) {
  return fmt::format("CONT\t{}\t{}\n", id, base::base64_encode(response));
}

Result<ServerLine> parse_server_line(std::string_view line) {
  auto f = split_tabs(line);
  if (f[0] == "VERSION") {
    auto version = parse_version(f);
    if (!version) return version.error();
    return ServerLine{*version};
  }
  if (f[0] == "MECH") {
    if (f.size() < 2 || f[1].empty()) return Error{"MECH: missing name"};
    Mech mech{std::string(f[1])};
    for (size_t i = 2; i < f.size(); ++i)
      if (f[i] == "plaintext") mech.plaintext = true;
    return ServerLine{std::move(mech)};
  }
  if (f[0] == "DONE") return ServerLine{HandshakeDone{}};
  if (f[0] == "COOKIE") {
    if (f.size() != 2 || f[1].empty() || f[1].size() > 128) return Error{"COOKIE: bad cookie"};
    return ServerLine{Cookie{std::string(f[1])}};
  }
  if (f[0] == "CONT") {
    if (f.size() != 3) return Error{"CONT: want id and challenge"};
    auto id = parse_number(f[1]);
    if (!id) return Error{"CONT: bad id"};
    auto bytes = decoded(f[2], "CONT");
    if (!bytes) return bytes.error();
    return ServerLine{Challenge{*id, std::move(*bytes)}};
  }
  if (f[0] == "OK") {
    if (f.size() < 2) return Error{"OK: missing id"};
    auto id = parse_number(f[1]);
    if (!id) return Error{"OK: bad id"};
    Success success{*id, {}};
    for (size_t i = 2; i < f.size(); ++i) {
      auto [key, value] = key_value(f[i]);
      if (key != "user" || !value) continue;
      auto user = unescaped(*value, "OK");
      if (!user) return user.error();
      success.user = std::move(*user);
    }
    if (success.user.empty()) return Error{"OK: no user"};
    return ServerLine{std::move(success)};
  }
  if (f[0] == "FAIL") {
    auto failure = parse_failure(f);
    if (!failure) return failure.error();
    return ServerLine{std::move(*failure)};
  }
  return ServerLine{Ignored{}};
}

std::string format_server_handshake(const std::vector<Mech>& mechanisms, unsigned long pid,
                                    unsigned long connection, std::string_view cookie_hex) {
  std::string out = fmt::format("VERSION\t{}\t{}\n", kMajorVersion, kMinorVersion);
  for (const auto& mech : mechanisms)
    out += fmt::format("MECH\t{}{}\n", mech.name, mech.plaintext ? "\tplaintext" : "");
  out += fmt::format("SPID\t{}\nCUID\t{}\nCOOKIE\t{}\nDONE\n", pid, connection, cookie_hex);
  return out;
}

std::string format_challenge(unsigned long id, std::string_view data) {
  return fmt::format("CONT\t{}\t{}\n", id, base::base64_encode(data));
}

std::string format_success(unsigned long id, std::string_view user) {
  return fmt::format("OK\t{}\tuser={}\n", id, tab_escape(user));
}

std::string format_failure(const Failure& f) {
  std::string line = fmt::format("FAIL\t{}", f.id);
  if (!f.user.empty()) line += "\tuser=" + tab_escape(f.user);
  // Dovecot's codes where it has one (auth-client-interface.h), Correio's own otherwise.
  if (f.kind == SaslStep::Failure::authorization) line += "\tcode=authz_fail";
  if (f.kind == SaslStep::Failure::malformed) line += "\tcode=correio-malformed";
  if (f.kind == SaslStep::Failure::temporary) line += "\ttemp";
  if (f.locked_out)
    line += fmt::format("\tcode=correio-locked-out\tcorreio-failures={}", f.failures);
  if (!f.reason.empty()) line += "\treason=" + tab_escape(f.reason);
  return line + "\n";
}

}  // namespace correio::auth::protocol
