// The user-directory commands, after doveadm's:
//   correio pw [-s SCHEME] [-p PASSWORD] [-t HASH]      hash (or test) a password
//   correio user [-d DIR] list|add|del|passwd|show ...   list and change users
//   correio auth [-d DIR] test USER [PASSWORD]           check a login (doveadm auth test)
//   correio auth [-d DIR] lookup USER                    print a user's fields
// DIR is a user_directory value ("sqlite:/etc/correio/users.db"); default: main.cf's
// user_directory (-c DIR or $MAIL_CONFIG). Passwords are asked on the terminal (twice when
// setting one) or read as one line from a non-terminal standard input.
// SECURITY: runs as the invoking user; changing a directory needs write access to it.
#include <grp.h>
#include <pwd.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "auth/password.hpp"
#include "auth/user_directory.hpp"
#include "auth/user_editor.hpp"
#include "base/strings.hpp"
#include "cli/commands.hpp"
#include "config/config.hpp"

namespace correio::cli {
namespace {

constexpr const char* kDefaultScheme = "SHA512-CRYPT";

// argv after the command: options (each taking a value) and positional words, in any order.
struct Args {
  std::map<char, std::string> options;
  std::vector<std::string> words;
};

Result<Args> parse_args(int argc, char** argv, int first, std::string_view with_value) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.size() == 2 && a[0] == '-' && with_value.find(a[1]) != std::string_view::npos) {
      if (i + 1 >= argc) return Error{std::string("option ") + argv[i] + " needs a value"};
      args.options[a[1]] = argv[++i];
    } else if (a.size() > 1 && a[0] == '-') {
      return Error{std::string("unknown option ") + argv[i]};
    } else {
      args.words.emplace_back(a);
    }
  }
  return args;
}

int fail(const char* command, const std::string& message, int status = 1) {
  std::fprintf(stderr, "%s: %s\n", command, message.c_str());
  return status;
}

// One line from the terminal without echo, or from standard input when it is not one.
Result<std::string> read_secret(const char* prompt) {
  bool tty = ::isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (tty) {
    // Echo off before the prompt: an answer typed after the prompt is never flushed away.
    if (::tcgetattr(STDIN_FILENO, &saved) == 0) {
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::fprintf(stderr, "%s", prompt);
    std::fflush(stderr);
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(std::cin, line));
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!got) return Error{"no password given"};
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// -p, else asked (twice on a terminal).
Result<std::string> new_password(const Args& args) {
  if (auto it = args.options.find('p'); it != args.options.end()) return it->second;
  auto first = read_secret("Enter new password: ");
  if (!first) return first;
  if (::isatty(STDIN_FILENO)) {
    auto second = read_secret("Retype new password: ");
    if (!second) return second;
    if (*first != *second) return Error{"passwords don't match"};
  }
  if (first->empty()) return Error{"empty password"};
  return first;
}

Result<std::string> hashed(const Args& args, const std::string& plaintext) {
  auto it = args.options.find('s');
  std::string scheme = it == args.options.end() ? kDefaultScheme : it->second;
  return auth::hash_password(scheme, plaintext);
}

struct Target {
  std::string spec;            // the user_directory value
  std::optional<gid_t> group;  // mail_owner's group, for files we create
};

// -d, else main.cf's user_directory.
Result<Target> target(const Args& args) {
  Target t;
  auto dash_c = args.options.find('c');
  auto config = config::Config::load(
      config::resolve_config_dir(dash_c == args.options.end() ? nullptr : dash_c->second.c_str()));
  if (auto d = args.options.find('d'); d != args.options.end()) {
    t.spec = d->second;
  } else if (!config) {
    return config.error();
  } else {
    t.spec = config->get("user_directory");
    if (t.spec.empty()) return Error{"user_directory is not set in main.cf: give -d TYPE:NAME"};
  }
  // The daemons read the directory as mail_owner: new files are readable by its group.
  if (config && ::geteuid() == 0) {
    if (passwd* pw = ::getpwnam(config->get("mail_owner").c_str())) t.group = pw->pw_gid;
  }
  return t;
}

int pw_command(int argc, char** argv) {
  auto args = parse_args(argc, argv, 1, "spt");
  if (!args || !args->words.empty())
    return fail("pw",
                (args ? "unexpected argument" : args.error().message) +
                    std::string("\nusage: correio pw [-s SCHEME] [-p PASSWORD] [-t HASH]"),
                2);
  if (auto t = args->options.find('t'); t != args->options.end()) {
    // doveadm pw -t: does the password match this hash?
    auto plaintext = args->options.count('p') ? Result<std::string>(args->options.at('p'))
                                              : read_secret("Enter password to verify: ");
    if (!plaintext) return fail("pw", plaintext.error().message);
    if (!auth::verify_password(t->second, *plaintext)) return fail("pw", "password mismatch");
    std::printf("%s (verified)\n", t->second.c_str());
    return 0;
  }
  auto plaintext = new_password(*args);
  if (!plaintext) return fail("pw", plaintext.error().message);
  auto hash = hashed(*args, *plaintext);
  if (!hash) return fail("pw", hash.error().message);
  std::printf("%s\n", hash->c_str());
  return 0;
}

void print_record(const auth::UserRecord& user) {
  std::printf("user\t%s\n", user.user.c_str());
  if (user.uid) std::printf("uid\t%u\n", *user.uid);
  if (user.gid) std::printf("gid\t%u\n", *user.gid);
  if (!user.home.empty()) std::printf("home\t%s\n", user.home.c_str());
  for (const auto& [k, v] : user.extra_fields) std::printf("%s\t%s\n", k.c_str(), v.c_str());
}

// A lookup through the read side, exactly as the daemons do it.
int lookup(const char* command, const Target& t, const std::string& user,
           std::optional<auth::UserRecord>* out) {
  auto dir = auth::open_user_directory(t.spec);
  if (!dir) return fail(command, dir.error().message, EX_TEMPFAIL);
  auto found = (*dir)->lookup(user);
  for (const auto& w : (*dir)->take_warnings())
    std::fprintf(stderr, "%s: warning: %s\n", command, w.c_str());
  if (!found) return fail(command, "lookup failed: " + found.error().message, EX_TEMPFAIL);
  *out = std::move(found).value();
  return 0;
}

int user_usage() {
  std::fprintf(
      stderr,
      "usage: correio user [-c DIR] [-d TYPE:NAME] list\n"
      "       correio user [-d TYPE:NAME] add [-p PASSWORD] [-s SCHEME] [-u UID] [-g GID]\n"
      "                    [-h HOME] [-q QUOTA_RULE] USER\n"
      "       correio user [-d TYPE:NAME] del USER\n"
      "       correio user [-d TYPE:NAME] passwd [-p PASSWORD] [-s SCHEME] USER\n"
      "       correio user [-d TYPE:NAME] show USER\n");
  return 2;
}

std::optional<uint32_t> parse_id(const std::string& s, bool* ok) {
  auto n = base::parse_int(s);
  *ok = n && *n >= 0 && *n < 0xffffffffLL;
  return *ok ? std::optional<uint32_t>(static_cast<uint32_t>(*n)) : std::nullopt;
}

int user_command(int argc, char** argv) {
  auto args = parse_args(argc, argv, 1, "cdpsughq");
  if (!args) return fail("user", args.error().message, 2);
  if (args->words.empty()) return user_usage();
  std::string verb = args->words[0];
  auto t = target(*args);
  if (!t) return fail("user", t.error().message);

  if (verb == "list") {
    if (args->words.size() != 1) return user_usage();
    auto dir = auth::open_user_directory(t->spec);
    if (!dir) return fail("user", dir.error().message, EX_TEMPFAIL);
    auto users = (*dir)->list_users();
    if (!users) return fail("user", users.error().message, EX_TEMPFAIL);
    for (const auto& u : *users) std::printf("%s\n", u.c_str());
    return 0;
  }
  if (args->words.size() != 2) return user_usage();
  const std::string& name = args->words[1];
  if (verb == "show") {
    std::optional<auth::UserRecord> user;
    if (int rc = lookup("user", *t, name, &user); rc != 0) return rc;
    if (!user) return fail("user", "no such user: " + name);
    print_record(*user);
    return 0;
  }
  auto editor = auth::open_user_editor(t->spec, auth::EditorOptions{t->group});
  if (!editor) return fail("user", editor.error().message);
  Status done;
  if (verb == "add") {
    auth::UserRecord user;
    user.user = name;
    if (auto ok = auth::check_user_name(name); !ok) return fail("user", ok.error().message);
    bool id_ok = true;
    if (args->options.count('u')) user.uid = parse_id(args->options.at('u'), &id_ok);
    if (id_ok && args->options.count('g')) user.gid = parse_id(args->options.at('g'), &id_ok);
    if (!id_ok) return fail("user", "uid and gid must be numbers", 2);
    if (args->options.count('h')) user.home = args->options.at('h');
    if (!user.home.empty() && user.home.front() != '/')
      return fail("user", "home must be an absolute path", 2);
    if (args->options.count('q'))
      user.extra_fields.emplace_back("userdb_quota_rule", args->options.at('q'));
    auto plaintext = new_password(*args);
    if (!plaintext) return fail("user", plaintext.error().message);
    auto hash = hashed(*args, *plaintext);
    if (!hash) return fail("user", hash.error().message);
    user.password = *hash;
    done = (*editor)->add(user);
  } else if (verb == "del") {
    done = (*editor)->remove(name);
  } else if (verb == "passwd") {
    auto plaintext = new_password(*args);
    if (!plaintext) return fail("user", plaintext.error().message);
    auto hash = hashed(*args, *plaintext);
    if (!hash) return fail("user", hash.error().message);
    done = (*editor)->set_password(name, *hash);
  } else {
    return user_usage();
  }
  if (!done) return fail("user", done.error().message);
  return 0;
}

int auth_command(int argc, char** argv) {
  auto args = parse_args(argc, argv, 1, "cd");
  if (!args) return fail("auth", args.error().message, 2);
  auto& w = args->words;
  bool test = !w.empty() && w[0] == "test" && (w.size() == 2 || w.size() == 3);
  bool show = !w.empty() && w[0] == "lookup" && w.size() == 2;
  if (!test && !show) {
    std::fprintf(stderr,
                 "usage: correio auth [-c DIR] [-d TYPE:NAME] test USER [PASSWORD]\n"
                 "       correio auth [-c DIR] [-d TYPE:NAME] lookup USER\n");
    return 2;
  }
  auto t = target(*args);
  if (!t) return fail("auth", t.error().message);
  std::optional<auth::UserRecord> user;
  if (int rc = lookup("auth", *t, w[1], &user); rc != 0) return rc;
  if (show) {
    if (!user) return fail("auth", "userdb lookup: user " + w[1] + " doesn't exist");
    print_record(*user);
    return 0;
  }
  auto plaintext = w.size() == 3 ? Result<std::string>(w[2]) : read_secret("Password: ");
  if (!plaintext) return fail("auth", plaintext.error().message);
  if (!user || user->password.empty() || !auth::verify_password(user->password, *plaintext)) {
    std::printf("passdb: %s auth failed%s\n", w[1].c_str(), user ? "" : " (unknown user)");
    return 1;
  }
  std::printf("passdb: %s auth succeeded\nextra fields:\n", w[1].c_str());
  print_record(*user);
  return 0;
}

}  // namespace

int pw_main(int argc, char** argv) {
  return pw_command(argc, argv);
}
int user_main(int argc, char** argv) {
  return user_command(argc, argv);
}
int auth_main(int argc, char** argv) {
  return auth_command(argc, argv);
}

}  // namespace correio::cli
