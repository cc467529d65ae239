// content_filter / FILTER routing (src/resolve/content_filter.cpp): the
// "transport:destination" syntax and the route every recipient of a filtered message gets.
#include <gtest/gtest.h>

#include "resolve/content_filter.hpp"

namespace correio::resolve {
namespace {

TEST(ContentFilter, ParsesTransportAndDestination) {
  auto f = parse_content_filter(" scan:[127.0.0.1]:10024 ");
  ASSERT_TRUE(f.ok()) << f.error().message;
  EXPECT_EQ(f->transport, "scan");
  EXPECT_EQ(f->nexthop, "[127.0.0.1]:10024");
  auto lmtp = parse_content_filter("lmtp:unix:/run/filter.sock");
  ASSERT_TRUE(lmtp.ok());
  EXPECT_EQ(lmtp->transport, "lmtp");
  EXPECT_EQ(lmtp->nexthop, "unix:/run/filter.sock");
  auto empty = parse_content_filter("amavis:");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->nexthop, "");
}

TEST(ContentFilter, RefusesWhatIsNoTransportDestination) {
  for (const char* bad : {"", "scan", ":[127.0.0.1]:10024", "sc an:x"})
    EXPECT_FALSE(parse_content_filter(bad).ok()) << bad;
  EXPECT_EQ(parse_content_filter("scan").error().message,
            "content filter \"scan\": need transport:destination");
}

TEST(ContentFilter, OverridesTheRouteForEveryClass) {
  Route local{AddressClass::kLocal, "local", "", "u@localhost", false};
  Route routed = filter_route(*parse_content_filter("scan:[127.0.0.1]:10024"), local);
  EXPECT_EQ(routed.transport, "scan");
  EXPECT_EQ(routed.nexthop, "[127.0.0.1]:10024");
  EXPECT_EQ(routed.recipient, "u@localhost");
  // An empty destination keeps the recipient's own next hop (access(5) FILTER note 3).
  Route remote{AddressClass::kDefault, "smtp", "example.org", "u@example.org", false};
  Route kept = filter_route(*parse_content_filter("relay2:"), remote);
  EXPECT_EQ(kept.transport, "relay2");
  EXPECT_EQ(kept.nexthop, "example.org");
}

}  // namespace
}  // namespace correio::resolve
