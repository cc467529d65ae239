// The Sendmail milter protocol's wire format (libmilter's mfdef.h, protocol version 6 as
// Postfix's milter8.c speaks it): length-prefixed packets, the command and reply codes,
// the negotiation flags, and the encoders and decoders for each packet's payload.
// Pure functions and a small incremental reader; no I/O, no state shared between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::milter {

// Commands, MTA -> milter (SMFIC_*).
namespace cmd {
inline constexpr char kAbort = 'A', kBody = 'B', kConnect = 'C', kMacro = 'D', kEndOfBody = 'E',
                      kHelo = 'H', kHeader = 'L', kMail = 'M', kEndOfHeader = 'N', kOptneg = 'O',
                      kQuit = 'Q', kRcpt = 'R', kData = 'T', kUnknown = 'U',
                      kQuitNewConnection = 'K';
}  // namespace cmd

// Replies, milter -> MTA (SMFIR_*).
namespace rep {
inline constexpr char kAddRcpt = '+', kDelRcpt = '-', kAddRcptPar = '2', kShutdown = '4',
                      kAccept = 'a', kReplaceBody = 'b', kContinue = 'c', kDiscard = 'd',
                      kChangeFrom = 'e', kConnFail = 'f', kAddHeader = 'h', kInsHeader = 'i',
                      kSetSymList = 'l', kChangeHeader = 'm', kProgress = 'p', kQuarantine = 'q',
                      kReject = 'r', kSkip = 's', kTempfail = 't', kReplyCode = 'y', kOptneg = 'O';
}  // namespace rep

// Actions the milter may take at end of message (SMFIF_*): all that Postfix allows.
namespace action {
inline constexpr uint32_t kAddHeaders = 0x01, kChangeBody = 0x02, kAddRcpt = 0x04, kDelRcpt = 0x08,
                          kChangeHeaders = 0x10, kQuarantine = 0x20, kChangeFrom = 0x40,
                          kAddRcptPar = 0x80, kSetSymList = 0x100;
inline constexpr uint32_t kAll = 0x1FF;
}  // namespace action

// Protocol steps the milter may skip (SMFIP_NO*) or not answer (SMFIP_NR_*).
namespace step {
inline constexpr uint32_t kNoConnect = 0x01, kNoHelo = 0x02, kNoMail = 0x04, kNoRcpt = 0x08,
                          kNoBody = 0x10, kNoHeaders = 0x20, kNoEndOfHeader = 0x40,
                          kNoReplyHeader = 0x80, kNoUnknown = 0x100, kNoData = 0x200, kSkip = 0x400,
                          kRcptRejected = 0x800, kNoReplyConnect = 0x1000, kNoReplyHelo = 0x2000,
                          kNoReplyMail = 0x4000, kNoReplyRcpt = 0x8000, kNoReplyData = 0x10000,
                          kNoReplyUnknown = 0x20000, kNoReplyEndOfHeader = 0x40000,
                          kNoReplyBody = 0x80000, kHeaderLeadingSpace = 0x100000;
}  // namespace step

// The macro stages of SMFIR_SETSYMLIST and the negotiation reply (SMFIM_*).
enum class Stage : uint32_t {
  connect = 0,
  helo = 1,
  mail = 2,
  rcpt = 3,
  data = 4,
  eom = 5,
  eoh = 6
};
inline constexpr int kStages = 7;

// The largest packet either side may send (libmilter's MILTER_MAX_DATA_SIZE is 64 KiB; a
// body chunk is at most that). Bigger lengths are a protocol error, not an allocation.
inline constexpr size_t kMaxPacket = 1024 * 1024;
inline constexpr size_t kMaxBodyChunk = 65535;

struct Packet {
  char command = 0;
  std::string data;
};

// The wire form: 4-byte big-endian length of command + data, the command, the data.
std::string encode(char command, std::string_view data = {});

// Reads packets from a byte stream fed in pieces of any size.
class PacketReader {
 public:
  // Adds received bytes.
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  // The next complete packet, nullopt when more bytes are needed, an error when the
  // length is zero or over kMaxPacket (the stream cannot be trusted any more).
  Result<std::optional<Packet>> next();

 private:
  std::string buffer_;
};

// What each side says in SMFIC_OPTNEG.
struct Negotiation {
  uint32_t version = 6;
  uint32_t actions = 0;
  uint32_t steps = 0;
  // The milter's own macro lists per Stage (index), empty when it sent none.
  std::vector<std::string> macros = std::vector<std::string>(kStages);
};
std::string encode_negotiation(const Negotiation& n);
Result<Negotiation> decode_negotiation(std::string_view data);

// "name\0value\0..." for SMFIC_MACRO, after the command code it precedes.
std::string encode_macros(char for_command,
                          const std::vector<std::pair<std::string, std::string>>& macros);

// SMFIC_CONNECT: host name, family ('4', '6', 'L' or 'U'), port, address.
std::string encode_connect(std::string_view host, char family, uint16_t port,
                           std::string_view address);

// NUL-terminated strings one after the other (SMFIC_MAIL, SMFIC_RCPT, SMFIC_HEADER, ...).
std::string nul_joined(const std::vector<std::string_view>& parts);
// Splits "a\0b\0" into {"a","b"}; an error when the last part is not NUL-terminated.
Result<std::vector<std::string>> split_nul(std::string_view data);

// The end-of-message modifications and the replies with arguments, decoded.
struct HeaderEdit {
  uint32_t index = 0;  // SMFIR_CHGHEADER: the n-th of that name; SMFIR_INSHEADER: position
  std::string name;
  std::string value;
};
Result<HeaderEdit> decode_header_edit(char reply, std::string_view data);

// SMFIR_REPLYCODE: "550 5.7.1 text" (multi-line with "550-..."); checked as Postfix's
// milter8.c checks it: a 4xx or 5xx code, the same code on each line.
Result<std::string> decode_reply_code(std::string_view data);

}  // namespace correio::milter
