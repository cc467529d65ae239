// The header lines a delivery agent prepends to each copy it stores (Postfix's
// global/mail_copy.c): shared by local (mbox, Maildir, |command) and the virtual Maildir
// delivery, so both write the same prefix. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace correio::delivery {

// "Return-Path: <SENDER>", "X-Original-To: ORIGINAL" (when enabled), "Delivered-To: RCPT",
// each ending in LF, in Postfix's order. CR and LF in the values become spaces: envelope
// values never break out of their line.
std::string prefix_headers(std::string_view sender, std::string_view recipient,
                           std::string_view original, bool with_original);

}  // namespace correio::delivery
