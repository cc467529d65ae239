// sendmail(1)'s command line as Postfix reads it, and the header work of -t: pure
// functions, unit-tested in tests/unit/sendmail_options_test.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace correio::cli {

// sysexits.h values sendmail reports, as Postfix's sendmail does.
inline constexpr int kExUsage = 64;
inline constexpr int kExDataErr = 65;
inline constexpr int kExNoInput = 66;
inline constexpr int kExUnavailable = 69;
inline constexpr int kExSoftware = 70;
inline constexpr int kExTempFail = 75;
inline constexpr int kExConfig = 78;

struct SendmailOptions {
  enum class Mode { deliver, list_queue, new_aliases, flush_queue, smtp };
  Mode mode = Mode::deliver;
  std::string flush_site;                // -qRsite: flush_queue for one site (postqueue -s)
  bool extract_recipients = false;       // -t
  bool ignore_dots = false;              // -i, -oi: a lone "." does not end the message
  std::optional<std::string> sender;     // -f / -r; "" or "<>" is the null sender
  std::optional<std::string> full_name;  // -F
  std::string notify;                    // -N: "never" or "success,delay,failure"
  std::string ret;                       // -R: "full" or "hdrs"
  std::string envid;                     // -V
  const char* config_dir = nullptr;      // -C
  std::vector<std::string> recipients;   // the operands
};

struct SendmailParse {
  std::optional<SendmailOptions> options;
  std::string error;  // usage error when !options
};

// argv as given (argv[0] is the program name).
SendmailParse parse_sendmail_args(int argc, char** argv);

// Removes the angle brackets of "<addr>"; "<>" becomes "".
std::string strip_angles(std::string_view address);

// RFC 3461 NOTIFY from -N: "never", or a list of success/failure/delay (Postfix also
// accepts "delay,failure" spelled with spaces). nullopt when a word is unknown.
std::optional<unsigned> parse_notify(std::string_view value);

// The header section of a message (LF line endings, up to and including the blank
// line if any): with `extract`, the addresses of To:, Cc: and Bcc: (or of Resent-To:,
// Resent-Cc:, Resent-Bcc: when Resent- headers are present, RFC 5322 §3.6.6); and the
// header section without its Bcc:/Resent-Bcc: headers, which must not reach the
// recipients.
struct HeaderScan {
  std::vector<std::string> recipients;
  std::string headers_without_bcc;
};
HeaderScan scan_headers(std::string_view headers, bool extract);

}  // namespace correio::cli
