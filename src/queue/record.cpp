// The queue file's record layer: encoding and a bounds-checked cursor.
#include "queue/record.hpp"

#include <cassert>

namespace correio::queue {

void append_u32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void append_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t load_u32(std::string_view b) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

uint64_t load_u64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(b[i]);
  return v;
}

void append_record(std::string& out, RecordType type, std::string_view data) {
  assert(data.size() <= kMaxRecordData);
  out.push_back(static_cast<char>(type));
  append_u32(out, static_cast<uint32_t>(data.size()));
  out.append(data);
}

void append_string(std::string& out, std::string_view s) {
  append_u32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

bool take_string(std::string_view& in, std::string_view& out) {
  if (in.size() < 4) return false;
  uint32_t n = load_u32(in);
  if (n > in.size() - 4) return false;
  out = in.substr(4, n);
  in.remove_prefix(4 + n);
  return true;
}

RecordCursor::Step RecordCursor::next(Record& out) {
  size_t left = bytes_.size() - pos_;
  if (left == 0) return Step::end_of_input;
  if (left < kRecordHeaderSize) return Step::truncated;
  uint32_t length = load_u32(bytes_.substr(pos_ + 1, 4));
  if (length > kMaxRecordData) return Step::too_long;
  if (length > left - kRecordHeaderSize) return Step::truncated;
  out.type = bytes_[pos_];
  out.data = bytes_.substr(pos_ + kRecordHeaderSize, length);
  out.offset = pos_;
  pos_ += kRecordHeaderSize + length;
  return Step::record;
}

}  // namespace correio::queue
