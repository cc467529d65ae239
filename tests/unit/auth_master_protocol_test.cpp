// The auth service's master requests (auth/auth_master_protocol.hpp) and the approved
// logins they redeem (authd/login_grants.hpp).
#include "auth/auth_master_protocol.hpp"

#include <gtest/gtest.h>

#include "authd/login_grants.hpp"

namespace correio::auth::protocol {
namespace {

TEST(AuthMasterProtocolTest, RequestRoundTrips) {
  MasterRequest request{7, 4242, 19, "00ff1a"};
  std::string text = format_master_request(request);
  EXPECT_EQ(text, "REQUEST\t7\t4242\t19\t00ff1a\n");
  text.pop_back();
  EXPECT_TRUE(is_master_request(text));
  auto parsed = parse_master_request(text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->id, 7u);
  EXPECT_EQ(parsed->login_pid, 4242u);
  EXPECT_EQ(parsed->auth_id, 19u);
  EXPECT_EQ(parsed->cookie, "00ff1a");
}

TEST(AuthMasterProtocolTest, BadRequestsAreRefused) {
  EXPECT_FALSE(parse_master_request("REQUEST\t1\t2\t3"));
  EXPECT_FALSE(parse_master_request("REQUEST\tx\t2\t3\tab"));
  EXPECT_FALSE(parse_master_request("REQUEST\t1\t2\t3\tnot-hex"));
  EXPECT_FALSE(parse_master_request("REQUEST\t1\t-2\t3\tab"));
  EXPECT_FALSE(is_master_request("AUTH\t1\tPLAIN"));
}

TEST(AuthMasterProtocolTest, RepliesRoundTrip) {
  std::string user = format_master_user(3, "bob\t@example.test");
  user.pop_back();
  auto parsed = parse_master_reply(user);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(std::get<MasterUser>(*parsed).user, "bob\t@example.test");
  std::string none = format_master_not_found(4);
  none.pop_back();
  EXPECT_EQ(std::get<MasterNotFound>(*parse_master_reply(none)).id, 4u);
  std::string fail = format_master_failure(5, "cookie mismatch");
  fail.pop_back();
  EXPECT_EQ(std::get<MasterFailure>(*parse_master_reply(fail)).reason, "cookie mismatch");
  EXPECT_FALSE(parse_master_reply("USER\t1\t"));
  EXPECT_FALSE(parse_master_reply("OK\t1"));
}

TEST(LoginGrantsTest, RedeemedOnceForTheRightProcess) {
  authd::LoginGrants grants;
  auto now = std::chrono::steady_clock::now();
  grants.grant(100, 1, "alice", now);
  EXPECT_FALSE(grants.redeem(101, 1, now));  // another login process's claim
  EXPECT_FALSE(grants.redeem(100, 2, now));
  EXPECT_EQ(grants.redeem(100, 1, now), "alice");
  EXPECT_FALSE(grants.redeem(100, 1, now));  // a replay
}

TEST(LoginGrantsTest, Expire) {
  authd::LoginGrants grants;
  auto now = std::chrono::steady_clock::now();
  grants.grant(100, 1, "alice", now);
  EXPECT_FALSE(grants.redeem(100, 1, now + authd::LoginGrants::kLifetime));
  grants.grant(100, 2, "bob", now);
  grants.grant(100, 3, "carol", now + authd::LoginGrants::kLifetime);  // sweeps bob
  EXPECT_EQ(grants.size(), 1u);
}

}  // namespace
}  // namespace correio::auth::protocol
