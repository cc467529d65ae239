// The imapd transcript harness (see imapd_transcript.hpp).
#include "imapd_transcript.hpp"

#include <fmt/format.h>
#include <poll.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <fstream>
#include <thread>

#include "base/log.hpp"
#include "config/config.hpp"
#include "config/main_cf.hpp"
#include "imapd/folder_watcher.hpp"
#include "imapd/session.hpp"
#include "imapd/settings.hpp"
#include "imapd/store_pool.hpp"
#include "service/login_services.hpp"
#include "store/mailbox_path.hpp"

namespace correio::imapd::testing {
namespace fs = std::filesystem;

namespace {

std::string unescape(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'r' || text[i + 1] == 'n')) {
      out += text[i + 1] == 'r' ? '\r' : '\n';
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string escape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '\r')
      out += "\\r";
    else if (ch == '\n')
      out += "\\n";
    else
      out += ch;
  }
  return out;
}

}  // namespace

bool transcript_match(std::string_view pattern, std::string_view text) {
  size_t star = pattern.find("{*}");
  if (star == std::string_view::npos) return pattern == text;
  if (text.substr(0, star) != pattern.substr(0, star)) return false;
  std::string_view rest = pattern.substr(star + 3);
  for (size_t from = star; from <= text.size(); ++from)
    if (transcript_match(rest, text.substr(from))) return true;
  return false;
}

// The daemon's parts, as imapd_main builds them, on a thread of their own. Members are
// destroyed in reverse order, and that order is the point: a session still suspended at
// the end (its client gone, its EOF not yet read) is destroyed with `io`'s pending work,
// and borrows everything declared before `io`, so `io` goes first, as in the daemon,
// whose io_context ends before the parts it serves. The workers go before `io`: work
// they still hold may own a session frame whose socket belongs to `io`.
struct Transcript::Server {
  std::unique_ptr<base::Logger> log;
  std::unique_ptr<config::Config> config;
  Settings settings;
  std::unique_ptr<auth::UserDirectory> users;
  std::unique_ptr<FolderWatcher> watcher;
  std::unique_ptr<StorePool> store_pool;
  std::unique_ptr<Shared> shared;
  asio::io_context io{1};
  asio::thread_pool workers{2};
  asio::ip::tcp::acceptor acceptor{io};
  std::thread thread;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      asio::ip::tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
      asio::co_spawn(io, serve_client(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> serve_client(asio::ip::tcp::socket socket) {
    io::Connection connection(std::move(socket));
    co_await serve_logged_in(*shared, connection, "demo@example.test", "l0");
  }
  ~Server() {
    io.stop();
    if (thread.joinable()) thread.join();
    workers.stop();
    workers.join();
    // Sessions (bound to io) go with it; the objects they use are destroyed after.
  }
};

struct Transcript::Client {
  asio::io_context io;
  asio::ip::tcp::socket socket{io};
  std::string buffer;  // received, not yet consumed

  // Reads what has arrived into `buffer`; false after 5 s without input or at EOF, so
  // that a test waiting for a line the server never sends fails instead of hanging.
  bool fill(std::string& error) {
    pollfd pfd{socket.native_handle(), POLLIN, 0};
    if (::poll(&pfd, 1, 5000) <= 0) {
      error = "<timeout: nothing more from the server>";
      return false;
    }
    char chunk[8192];
    std::error_code ec;
    size_t n = socket.read_some(asio::buffer(chunk), ec);
    if (ec) {
      error = "<connection: " + ec.message() + ">";
      return false;
    }
    buffer.append(chunk, n);
    return true;
  }
};

Transcript::Transcript() {
  dir_ = fs::temp_directory_path() /
         fmt::format("imapd-transcript-{}-{}", ::getpid(), reinterpret_cast<uintptr_t>(this));
  fs::remove_all(dir_);
  fs::create_directories(dir_ / "mail");
  std::ofstream(dir_ / "users") << "demo@example.test:{PLAIN}secret::::::\n";
  std::string main_cf = fmt::format(
      "myhostname = imap.example.test\n"
      "user_directory = passwd-file:{0}/users\n"
      "virtual_mailbox_base = {0}/mail\n",
      dir_.string());
  auto parsed = config::MainCf::parse(main_cf, "main.cf");
  if (!parsed) throw std::runtime_error(parsed.error().message);
  auto config = config::Config::from_main_cf(std::move(*parsed), dir_);
  if (!config) throw std::runtime_error(config.error().message);
  server_ = std::make_unique<Server>();
  Server& s = *server_;
  s.config = std::make_unique<config::Config>(std::move(*config));
  base::Logger::Options log_options;
  log_options.process_name = "imapd";
  log_options.maillog_file = (dir_ / "maillog").string();
  s.log = std::make_unique<base::Logger>(log_options);
  s.settings = Settings::from_config(*s.config);
  auto users = service::open_configured_user_directory(*s.config);
  if (!users) throw std::runtime_error(users.error().message);
  s.users = std::move(*users);
  s.watcher = std::make_unique<FolderWatcher>(s.io);
  s.store_pool = std::make_unique<StorePool>(s.workers);
  s.shared.reset(
      new Shared{s.settings, *s.log, *s.users, *s.watcher, &s.workers, s.store_pool.get()});
  asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  s.acceptor.open(endpoint.protocol());
  s.acceptor.bind(endpoint);
  s.acceptor.listen();
  asio::co_spawn(s.io, s.accept_loop(), asio::detached);
  s.thread = std::thread([&s] { s.io.run(); });

  auto maildir = store::virtual_maildir_path(s.settings.mailbox_base, "demo@example.test", "",
                                             s.settings.mail_location);
  if (!maildir) throw std::runtime_error(maildir.error().message);
  auto user = mailbox::MailUser::open(*maildir);
  if (!user) throw std::runtime_error(user.error().message);
  user_ = std::make_unique<mailbox::MailUser>(std::move(*user));
}

Transcript::~Transcript() {
  clients_.clear();
  server_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

mailbox::MailUser& Transcript::user() {
  return *user_;
}

uint32_t Transcript::deliver(std::string_view text, std::string_view folder, mailbox::Flags flags) {
  auto box = user_->open_mailbox(folder);
  if (!box) throw std::runtime_error(box.error().message);
  auto uid = (*box)->append(text, flags);
  if (!uid) throw std::runtime_error(uid.error().message);
  return *uid;
}

void Transcript::connect_and_login() {
  auto c = std::make_unique<Client>();
  c->socket.connect(server_->acceptor.local_endpoint());
  clients_.push_back(std::move(c));
  current_ = clients_.size() - 1;
  std::string answer = read_unit(*clients_.back());
  if (!answer.starts_with("l0 OK [CAPABILITY ")) throw std::runtime_error("login: " + answer);
}

std::string Transcript::read_unit(Client& c) {
  // One line; a line ending in a literal's announcement "{n}" takes the n bytes and the
  // rest of the response line with it.
  std::string unit, error;
  for (;;) {
    size_t eol;
    while ((eol = c.buffer.find("\r\n")) == std::string::npos)
      if (!c.fill(error)) return unit + c.buffer + error;
    std::string line = c.buffer.substr(0, eol);
    c.buffer.erase(0, eol + 2);
    unit += line;
    size_t open = line.rfind('{');
    if (line.empty() || line.back() != '}' || open == std::string::npos) return unit;
    size_t n = std::stoul(line.substr(open + 1));
    unit += "\r\n";
    while (c.buffer.size() < n)
      if (!c.fill(error)) return unit + c.buffer + error;
    unit += c.buffer.substr(0, n);
    c.buffer.erase(0, n);
  }
}

std::string Transcript::run(std::string_view script) {
  Client& c = *clients_.at(current_);
  size_t number = 0;
  while (!script.empty()) {
    size_t end = script.find('\n');
    std::string_view line = script.substr(0, end);
    script = end == std::string_view::npos ? std::string_view() : script.substr(end + 1);
    ++number;
    if (line.empty()) continue;
    if (line.starts_with("C: ")) {
      std::string data = unescape(line.substr(3)) + "\r\n";
      std::error_code ec;
      asio::write(c.socket, asio::buffer(data), ec);
      if (ec) return fmt::format("line {}: cannot send: {}", number, ec.message());
    } else if (line.starts_with("S: ")) {
      std::string pattern = unescape(line.substr(3));
      std::string got = read_unit(c);
      if (!transcript_match(pattern, got))
        return fmt::format("line {}: expected\n  {}\ngot\n  {}", number, line.substr(3),
                           escape(got));
    } else if (line.starts_with("S~ ")) {
      std::string pattern = unescape(line.substr(3));
      std::string got;
      for (int skipped = 0; !transcript_match(pattern, got); ++skipped) {
        if (skipped == 100 || got.find("<connection:") != std::string::npos ||
            got.find("<timeout:") != std::string::npos)
          return fmt::format("line {}: never got\n  {}\nlast\n  {}", number, line.substr(3),
                             escape(got));
        got = read_unit(c);
      }
    } else {
      return fmt::format("line {}: neither C: nor S: {}", number, line);
    }
  }
  return "";
}

}  // namespace correio::imapd::testing
