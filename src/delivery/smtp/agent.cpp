// The smtp agent's entry point: one request, its time limit, its results (see agent.hpp;
// the steps are in delivery.cpp and delivery_attempts.cpp, the settings in agent_settings.cpp).
#include "delivery/smtp/agent.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <chrono>

#include "delivery/smtp/delivery.hpp"

namespace correio::delivery::smtp_agent {

asio::awaitable<std::vector<RecipientResult>> deliver(const DeliveryRequest& request,
                                                      AgentContext& context) {
  using namespace asio::experimental::awaitable_operators;
  Delivery delivery(request, context);
  auto deadline = std::chrono::steady_clock::now() + context.settings.request_time_limit;
  auto done = co_await (delivery.run() || delivery.time_limit(deadline));
  if (done.index() == 1) delivery.time_limit_exceeded();
  co_return delivery.take();
}

}  // namespace correio::delivery::smtp_agent