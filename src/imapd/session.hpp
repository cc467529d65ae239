// One IMAP server session (RFC 9051 IMAP4rev2 with RFC 3501 IMAP4rev1): a straight-line
// coroutine that reads whole commands (literals included), parses them and dispatches by
// name to one member per command family. The command families live in their own files:
// session.cpp (any state), logged_in.cpp, cmd_folders.cpp, cmd_list.cpp, cmd_quota.cpp,
// cmd_select.cpp, cmd_idle.cpp, cmd_fetch.cpp, cmd_search.cpp, cmd_sort.cpp, cmd_store.cpp,
// cmd_copy_move.cpp, cmd_append.cpp. Private to imapd.
#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/thread_pool.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "imapd/command_metrics.hpp"
#include "imapd/fetch_plan.hpp"
#include "imapd/folder_watcher.hpp"
#include "imapd/notify_args.hpp"
#include "imapd/parser.hpp"
#include "imapd/search_return.hpp"
#include "imapd/search_run.hpp"
#include "imapd/search_update.hpp"
#include "imapd/selected_view.hpp"
#include "imapd/settings.hpp"
#include "imapd/sort_args.hpp"
#include "io/connection.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

// What the daemon shares with every session (one process, one thread).
struct Shared {
  const Settings& settings;
  base::Logger& log;
  // The users' homes and quotas, and other users' stores for URLFETCH. Passwords are the
  // auth service's: the client logged in through imap-login (docs/prelogin.md).
  auth::UserDirectory& users;
  FolderWatcher& watcher;
  // Runs the mailbox commands (file reads, parsing, fsync) so that one session's SEARCH
  // BODY or APPEND does not stall every other session on the event loop, and several use
  // the machine's cores and disk at once. Null: everything runs on the event loop.
  asio::thread_pool* workers = nullptr;
  // The same pool as the store sees it (Mailbox::prefetch computes cache values on it).
  mailbox::WorkPool* content_pool = nullptr;
  CommandMetrics* metrics = nullptr;  // for the exporter; null: not counted
};

class Session {
 public:
  Session(Shared& shared, io::Connection& connection);
  // After a hand-off from imap-login (logged_in.cpp): `user` is the auth service's word;
  // opens the user's store, answers the login command's `tag` and serves the session.
  // There is no other way in: imapd never sees a client before it has logged in.
  asio::awaitable<void> resume(const std::string& user, const std::string& tag);

  enum class State { authenticated, selected, logout };

 private:
  // One parsed command: tag, name (upper-cased), whether it was prefixed by UID, and the
  // parser positioned after the name (and its space, when arguments follow).
  struct Command {
    std::string tag;
    std::string name;
    bool uid = false;
  };
  using Handler = asio::awaitable<void> (Session::*)(const Command&, Parser&);
  // What a command needs and allows (Dovecot's command flags).
  enum CommandFlag : unsigned {
    kAnyState = 0,  // the session starts authenticated (logged_in.cpp)
    kSelected = 1 << 1,
    kUidForm = 1 << 2,  // also valid as UID <command>
    // Runs on Shared::workers: the command touches only this session's state and its
    // mailbox (not the login throttle, the user directory, TLS or the folder watcher).
    kOnWorkers = 1 << 3,
    kUrlauth = 1 << 4,  // exists only with imapd_urlauth_host set (RFC 4467)
  };
  struct CommandEntry {
    std::string_view name;
    Handler handler;
    unsigned flags = kAnyState;
    bool has(CommandFlag f) const { return (flags & f) == f; }
  };
  static const std::vector<CommandEntry>& command_table();

  asio::awaitable<void> execute(std::string_view text);
  asio::awaitable<void> run_command(const CommandEntry& entry, const Command& c, Parser& p);

  // session.cpp: any state.
  asio::awaitable<void> cmd_capability(const Command& c, Parser& p);
  asio::awaitable<void> cmd_noop(const Command& c, Parser& p);
  asio::awaitable<void> cmd_logout(const Command& c, Parser& p);
  asio::awaitable<void> cmd_id(const Command& c, Parser& p);
  asio::awaitable<void> cmd_enable(const Command& c, Parser& p);
  asio::awaitable<void> cmd_compress(const Command& c, Parser& p);
  // cmd_folders.cpp
  asio::awaitable<void> cmd_create(const Command& c, Parser& p);
  asio::awaitable<void> cmd_delete(const Command& c, Parser& p);
  asio::awaitable<void> cmd_rename(const Command& c, Parser& p);
  asio::awaitable<void> cmd_subscribe(const Command& c, Parser& p);
  asio::awaitable<void> cmd_unsubscribe(const Command& c, Parser& p);
  asio::awaitable<void> cmd_list(const Command& c, Parser& p);
  asio::awaitable<void> cmd_lsub(const Command& c, Parser& p);
  asio::awaitable<void> cmd_namespace(const Command& c, Parser& p);
  asio::awaitable<void> cmd_status(const Command& c, Parser& p);
  // cmd_quota.cpp
  asio::awaitable<void> cmd_getquotaroot(const Command& c, Parser& p);
  asio::awaitable<void> cmd_getquota(const Command& c, Parser& p);
  // cmd_select.cpp
  asio::awaitable<void> cmd_select(const Command& c, Parser& p);
  asio::awaitable<void> cmd_examine(const Command& c, Parser& p);
  asio::awaitable<void> cmd_close(const Command& c, Parser& p);
  asio::awaitable<void> cmd_unselect(const Command& c, Parser& p);
  asio::awaitable<void> cmd_check(const Command& c, Parser& p);
  asio::awaitable<void> cmd_expunge(const Command& c, Parser& p);
  // cmd_idle.cpp
  asio::awaitable<void> cmd_idle(const Command& c, Parser& p);
  // cmd_fetch.cpp
  asio::awaitable<void> cmd_fetch(const Command& c, Parser& p);
  std::vector<uint32_t> fetch_targets(const FetchArgs& args, bool set_is_uids) const;
  void fetch_vanished(const FetchArgs& args);
  bool fetch_one(uint32_t seq, const FetchPlan& plan, const FetchArgs& args, bool& unknown_cte);
  // cmd_search.cpp
  asio::awaitable<void> cmd_search(const Command& c, Parser& p);
  // cmd_sort.cpp
  asio::awaitable<void> cmd_sort(const Command& c, Parser& p);
  asio::awaitable<void> cmd_thread(const Command& c, Parser& p);
  // cmd_sort.cpp: SORT's and THREAD's common run: refuses an unknown charset (NO
  // [BADCHARSET]), runs the search over the selected folder and, with `needs_headers`,
  // declares the matches' header blocks to the store for prefetch. nullopt when the NO
  // reply has been sent.
  std::optional<std::vector<Match>> sort_search(const Command& c, const CharsetAndProgram& search,
                                                bool needs_headers);
  void save_search_result(const std::vector<Match>& matches, const ReturnOptions& r);
  // search_update.cpp (CONTEXT=SEARCH, CONTEXT=SORT with `sort` criteria and `matches`
  // in sort order): false when the tag already names an update.
  bool start_search_update(const Command& c, SearchKey program, const std::vector<Match>& matches,
                           std::vector<SortCriterion> sort = {});
  void report_search_updates();
  asio::awaitable<void> cmd_cancelupdate(const Command& c, Parser& p);
  // cmd_store.cpp
  asio::awaitable<void> cmd_store(const Command& c, Parser& p);
  // cmd_copy_move.cpp
  asio::awaitable<void> cmd_copy(const Command& c, Parser& p);
  asio::awaitable<void> cmd_move(const Command& c, Parser& p);
  // cmd_append.cpp
  asio::awaitable<void> cmd_append(const Command& c, Parser& p);
  // cmd_metadata.cpp
  asio::awaitable<void> cmd_getmetadata(const Command& c, Parser& p);
  asio::awaitable<void> cmd_setmetadata(const Command& c, Parser& p);
  // cmd_urlauth.cpp (URLAUTH, RFC 4467)
  asio::awaitable<void> cmd_genurlauth(const Command& c, Parser& p);
  asio::awaitable<void> cmd_resetkey(const Command& c, Parser& p);
  asio::awaitable<void> cmd_urlfetch(const Command& c, Parser& p);
  // Whether "host[:port]" is imapd_urlauth_host (false when URLAUTH is off).
  bool urlauth_host_ok(std::string_view hostport) const;
  // The bytes a signed URL names, or nullopt with the reason in `why`; the store is read
  // on Shared::workers.
  asio::awaitable<std::optional<std::string>> urlauth_fetch(const std::string& text,
                                                            std::string& why);
  // notify_session.cpp (NOTIFY, RFC 5465): the command, and the report of other
  // mailboxes' changes since the last one (`initial`: only take the starting point).
  asio::awaitable<void> cmd_notify(const Command& c, Parser& p);
  void report_notifications(bool initial = false);
  // Whether NOTIFY asks for `event` on mailbox `name` (SELECTED included).
  bool notify_wants(unsigned event, const std::string& name,
                    const std::set<std::string>& subscribed) const;
  void report_metadata_changes(const std::set<std::string>& folders,
                               const std::set<std::string>& subs, bool initial);
  // The selected mailbox's messages above `known_uid` as MessageNew FETCH (RFC 5465 §5.2).
  void report_new_messages(uint32_t known_uid);
  // The directories whose changes NOTIFY reports.
  std::vector<std::filesystem::path> notify_dirs() const;
  // notify_wait.cpp: between commands, waits for the next command's first line while
  // sending NOTIFY's events as they happen (RFC 5465 §3); nullopt when NOTIFY is off.
  asio::awaitable<std::optional<io::LineResult>> notify_between_commands();
  // The session's watched directories, refreshed from notify_dirs() (event loop only).
  FolderWatcher::Interest& notify_interest();
  // One unsolicited report (between commands), on the worker threads when there are some.
  asio::awaitable<void> report_unsolicited();
  void report_unsolicited_now();
  // cmd_catenate.cpp: the message of one CATENATE list, or nullopt after a BAD/NO reply.
  std::optional<std::string> catenate(const Command& c, Parser& p);

  // Select/examine shared body.
  asio::awaitable<void> select(const Command& c, Parser& p, bool read_only);
  // After the login: the user's record and mail store. `unknown`: the directory no longer
  // has the user; `unavailable`: the directory or the store cannot be read now (no
  // descriptors, no memory, I/O, a database down).
  enum class OpenUser { ok, unknown, unavailable };
  OpenUser open_user(const std::string& username);
  // Copy and move shared body.
  asio::awaitable<void> copy_or_move(const Command& c, Parser& p, bool move);
  // Replaces "$" (RFC 5182) in `set` by the saved search result; returns whether the set
  // now holds UIDs (true for UID commands and for "$", which is kept as UIDs).
  bool expand_saved_result(SequenceSet& set, bool uid_command) const;
  // Closes the selected folder (CLOSE expunges first when `expunge`).
  void deselect();

  // Output: queued, then sent by flush() at the end of each command (or when large).
  void untagged(std::string_view line);  // "* " + line + CRLF
  void tagged(const Command& c, std::string_view status, std::string_view text);
  void bad(const Command& c, std::string_view text) { tagged(c, "BAD", text); }
  void no(const Command& c, std::string_view text) { tagged(c, "NO", text); }
  void ok(const Command& c, std::string_view text) { tagged(c, "OK", text); }
  asio::awaitable<bool> flush();
  asio::awaitable<bool> flush_if_large();

  // Reports what changed in the selected folder since the last report; expunges only when
  // `allow_expunge` (RFC 9051 §7.5.1: not during FETCH, STORE, SEARCH).
  void report_changes(bool allow_expunge);

  std::string capabilities() const;
  std::string client_label() const;  // "rip=1.2.3.4"
  asio::awaitable<void> converse();

  Shared& shared_;
  const Settings& settings_;
  io::Connection& conn_;
  State state_ = State::authenticated;
  std::string out_;

  std::string username_;
  std::optional<mailbox::MailUser> user_;
  uint64_t quota_bytes_ = 0;  // from the user's userdb_quota_rule; 0: no quota
  std::unique_ptr<SelectedView> selected_;
  bool condstore_ = false;              // CONDSTORE enabled (ENABLE or a CONDSTORE-using command)
  bool qresync_ = false;                // QRESYNC enabled
  bool imap4rev2_ = false;              // IMAP4rev2 enabled
  bool utf8_ = false;                   // UTF8=ACCEPT enabled
  std::vector<uint32_t> saved_search_;  // SEARCHRES "$", as UIDs
  bool saved_search_valid_ = false;
  std::vector<SearchUpdate> search_updates_;  // RETURN (UPDATE) searches, until CANCELUPDATE
  std::array<uint64_t, 4> updates_seen_{};    // the mailbox's state they were last run on
  std::optional<NotifyState> notify_;         // NOTIFY SET, until NOTIFY NONE
  bool notify_overflowed_ = false;            // NOTIFICATIONOVERFLOW sent (RFC 5465 §5.8)
  // The directories NOTIFY watches; created on the event loop while NOTIFY is set.
  std::unique_ptr<FolderWatcher::Interest> notify_watch_;
};

// Dovecot's quota rule "*:storage=1G" (k, M, G, T suffixes; bytes without) in bytes;
// 0 when absent or not understood.
uint64_t parse_quota_rule(std::string_view rule);

// One hand-off from imap-login on the post-login socket (login/hand_off.hpp): checked with
// the auth service at `auth_socket`, then served as a logged-in session.
asio::awaitable<void> serve_hand_off(Shared& shared, const std::filesystem::path& auth_socket,
                                     asio::local::stream_protocol::socket socket);
// The session after the auth service confirmed the login of `user` by the command tagged
// `tag` (serve_hand_off's end; the transcript tests start here).
asio::awaitable<void> serve_logged_in(Shared& shared, io::Connection& connection,
                                      const std::string& user, const std::string& tag);

}  // namespace correio::imapd
