// The per-message cache (Dovecot's mail cache): ENVELOPE, BODYSTRUCTURE, BODY and the
// header block, computed from the message at the first request and kept in the folder's
// index. The store decides what is computed together, when it is committed, and when a
// batch is computed on the worker pool; the IMAP server only asks for values.
#include <algorithm>

#include "mailbox/detail/content_fill.hpp"
#include "mailbox/detail/mailbox_impl.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::mailbox {
namespace {

// The cache's field names (kept: existing indexes hold values under them).
std::string_view field_name(CachedField field) {
  switch (field) {
    case kCacheEnvelope:
      return "envelope";
    case kCacheBodyStructure:
      return "bodystructure";
    case kCacheBody:
      return "body";
    case kCacheHeader:
      return "header";
  }
  return "";
}

// What is computed together at a miss of `field`: parsing the MIME structure is the cost,
// so a miss of ENVELOPE or BODYSTRUCTURE fills both and the header; BODY (rare) and the
// header alone (header searches, which need no MIME parse) fill only themselves.
unsigned fill_set(CachedField field) {
  if (field == kCacheEnvelope || field == kCacheBodyStructure)
    return kCacheEnvelope | kCacheBodyStructure | kCacheHeader;
  return field;
}

// A batch is worth the pool only for many misses; below that the getters compute each.
constexpr size_t kMinPrefetchMisses = 64;
// Values computed per batch before they are committed (bounded memory).
constexpr size_t kPrefetchChunk = 1024;

}  // namespace

Result<std::optional<std::string_view>> Mailbox::Impl::cached(uint32_t uid,
                                                              std::string_view field) {
  if (!pending_cache.empty()) {
    auto it = pending_cache.find(std::make_pair(uid, std::string(field)));
    if (it != pending_cache.end()) return std::optional<std::string_view>(it->second);
  }
  if (!cache_snapshot) {
    auto reader = index.read();
    if (!reader) return reader.error();
    cache_snapshot.emplace(std::move(*reader));
  }
  return cache_snapshot->cache_get(uid, field);
}

void Mailbox::Impl::commit_cache() {
  if (!pending_cache.empty()) {
    auto w = index.write();
    Status s = w ? Status{} : Status{w.error()};
    for (auto it = pending_cache.begin(); s && it != pending_cache.end(); ++it) {
      // A message expunged since the value was computed gets no entry: its record is gone.
      auto rec = w->record(it->first.first);
      if (!rec)
        s = rec.error();
      else if (*rec)
        s = w->cache_put(it->first.first, it->first.second, it->second);
    }
    if (s) s = w->commit();
    if (!s && log != nullptr)
      log->warning("cannot update the cache of {}: {}", name, s.error().message);
    pending_cache.clear();
  }
  cache_snapshot.reset();  // the next read sees what was committed, by us or others
}

bool Mailbox::Impl::run_prefetch(uint32_t uid, CachedField field) {
  if (prefetch.done || (prefetch.fields & field) == 0) return false;
  auto& uids = prefetch.uids;
  auto at = std::find(uids.begin() + static_cast<std::ptrdiff_t>(prefetch.cursor), uids.end(), uid);
  if (at == uids.end()) at = std::find(uids.begin(), uids.end(), uid);
  if (at == uids.end()) return false;
  prefetch.cursor = static_cast<size_t>(at - uids.begin());
  prefetch.done = true;
  // The misses among the rest, in one snapshot.
  unsigned fields = 0;
  for (unsigned f : {kCacheEnvelope, kCacheBodyStructure, kCacheBody, kCacheHeader})
    if (prefetch.fields & f) fields |= fill_set(static_cast<CachedField>(f));
  std::vector<uint32_t> missing;
  std::vector<std::string> paths;
  for (auto it = at; it != uids.end(); ++it) {
    const MessageInfo* m = find_mutable(*it);
    if (m == nullptr) continue;
    for (unsigned f : {kCacheEnvelope, kCacheBodyStructure, kCacheBody, kCacheHeader}) {
      if ((prefetch.fields & f) == 0) continue;
      auto hit = cached(*it, field_name(static_cast<CachedField>(f)));
      if (hit && *hit) continue;
      missing.push_back(*it);
      paths.push_back(absolute(m->file));
      break;
    }
  }
  if (missing.size() < kMinPrefetchMisses) return false;
  for (size_t first = 0; first < missing.size(); first += kPrefetchChunk) {
    size_t last = std::min(missing.size(), first + kPrefetchChunk);
    std::vector<std::string> chunk(paths.begin() + static_cast<std::ptrdiff_t>(first),
                                   paths.begin() + static_cast<std::ptrdiff_t>(last));
    auto values = detail::compute_contents(chunk, fields, work_pool);
    // An unreadable file (renamed or expunged meanwhile) is left to the getter.
    for (size_t i = 0; i < values.size(); ++i) {
      const detail::ContentValues& v = values[i];
      if (!v.ok) continue;
      uint32_t u = missing[first + i];
      if (v.fields & kCacheEnvelope) pending_cache[{u, "envelope"}] = v.envelope;
      if (v.fields & kCacheBodyStructure) pending_cache[{u, "bodystructure"}] = v.body_structure;
      if (v.fields & kCacheBody) pending_cache[{u, "body"}] = v.body;
      if (v.fields & kCacheHeader) pending_cache[{u, "header"}] = v.header;
    }
    commit_cache();
  }
  return true;
}

void Mailbox::prefetch(std::vector<uint32_t> uids, unsigned fields) {
  impl_->prefetch = {std::move(uids), fields, 0, false};
}

Result<std::string_view> Mailbox::content(uint32_t uid, CachedField field, const std::string* raw) {
  Impl& d = *impl_;
  std::string_view name = field_name(field);
  // A failed cache read counts as a miss: the value is computed from the file instead.
  for (int pass = 0; pass < 2; ++pass) {
    if (auto hit = d.cached(uid, name); hit && *hit) return **hit;
    if (pass == 0 && !d.run_prefetch(uid, field)) break;
  }
  std::string loaded;
  if (raw == nullptr) {
    auto r = read_message(uid);
    if (!r) return r.error();
    loaded = std::move(*r);
    raw = &loaded;
  }
  detail::ContentValues v = detail::compute_content(*raw, fill_set(field));
  // Bounded memory for a FETCH over a huge folder: commit before the batch is full.
  if (d.pending_cache.size() + 4 > kCacheBatch) d.commit_cache();
  std::string_view out;
  auto put = [&](CachedField f, std::string& value) {
    if ((v.fields & f) == 0) return;
    std::string& slot = d.pending_cache[{uid, std::string(field_name(f))}];
    slot = std::move(value);
    if (f == field) out = slot;
  };
  put(kCacheEnvelope, v.envelope);
  put(kCacheBodyStructure, v.body_structure);
  put(kCacheBody, v.body);
  put(kCacheHeader, v.header);
  return out;
}

Result<std::string_view> Mailbox::envelope(uint32_t uid, const std::string* raw) {
  return content(uid, kCacheEnvelope, raw);
}
Result<std::string_view> Mailbox::body_structure(uint32_t uid, const std::string* raw) {
  return content(uid, kCacheBodyStructure, raw);
}
Result<std::string_view> Mailbox::body(uint32_t uid, const std::string* raw) {
  return content(uid, kCacheBody, raw);
}
Result<std::string_view> Mailbox::header(uint32_t uid, const std::string* raw) {
  return content(uid, kCacheHeader, raw);
}

Result<std::optional<std::string>> Mailbox::cache_get(uint32_t uid, std::string_view field) {
  auto& pending = impl_->pending_cache;
  if (!pending.empty()) {
    auto it = pending.find(std::make_pair(uid, std::string(field)));
    if (it != pending.end()) return std::optional<std::string>(it->second);
  }
  return impl_->index.cache_get(uid, field);
}

Status Mailbox::cache_put(uint32_t uid, std::string_view field, std::string_view value) {
  impl_->pending_cache[std::make_pair(uid, std::string(field))] = std::string(value);
  // Bounded memory for a FETCH over a huge folder: commit every few thousand values.
  if (impl_->pending_cache.size() >= kCacheBatch) return flush_cache();
  return {};
}

Status Mailbox::flush_cache() {
  auto& pending = impl_->pending_cache;
  impl_->cache_snapshot.reset();
  if (pending.empty()) return {};
  auto w = impl_->index.write();
  if (!w) return w.error();
  for (const auto& [key, value] : pending) {
    // A message expunged since the value was computed gets no entry: its record is gone.
    auto rec = w->record(key.first);
    if (!rec) return rec.error();
    if (!*rec) continue;
    if (Status s = w->cache_put(key.first, key.second, value); !s) return s;
  }
  pending.clear();
  return w->commit();
}

}  // namespace correio::mailbox
