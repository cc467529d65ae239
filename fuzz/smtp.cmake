# Fuzz targets for the SMTP server's parsers and the delivery protocol.
add_executable(smtp_fuzz smtp_fuzz.cpp)
target_link_libraries(smtp_fuzz PRIVATE correio_smtpd correio_cleanup correio_smtp)
target_link_options(smtp_fuzz PRIVATE -fsanitize=fuzzer)

add_executable(delivery_protocol_fuzz delivery_protocol_fuzz.cpp)
target_link_libraries(delivery_protocol_fuzz PRIVATE correio_delivery_protocol)
target_link_options(delivery_protocol_fuzz PRIVATE -fsanitize=fuzzer)

# The SMTP client: server replies and EHLO keywords, and the smtp agent's nexthop syntax.
add_executable(smtp_client_fuzz smtp_client_fuzz.cpp)
target_link_libraries(smtp_client_fuzz PRIVATE correio_smtp_agent correio_smtp)
target_link_options(smtp_client_fuzz PRIVATE -fsanitize=fuzzer)

# The smtp agent's TLS policy table values (smtp_tls_policy_maps).
add_executable(smtp_tls_policy_entry_fuzz smtp_tls_policy_entry_fuzz.cpp)
target_link_libraries(smtp_tls_policy_entry_fuzz PRIVATE correio_smtp_agent)
target_link_options(smtp_tls_policy_entry_fuzz PRIVATE -fsanitize=fuzzer)
# smtpd access control: restriction lists, access(5) results, DNS list filters, templates.
add_executable(smtpd_access_fuzz smtpd_access_fuzz.cpp)
target_link_libraries(smtpd_access_fuzz PRIVATE correio_smtpd)
target_link_options(smtpd_access_fuzz PRIVATE -fsanitize=fuzzer)
