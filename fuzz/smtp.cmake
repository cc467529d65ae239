# Fuzz targets for the SMTP server's parsers and the delivery protocol.
correio_fuzz_target(smtp_fuzz smtp_fuzz.cpp correio_smtpd correio_cleanup correio_smtp)

correio_fuzz_target(delivery_protocol_fuzz delivery_protocol_fuzz.cpp correio_delivery_protocol)

# The SMTP client: server replies and EHLO keywords, and the smtp agent's nexthop syntax.
correio_fuzz_target(smtp_client_fuzz smtp_client_fuzz.cpp correio_smtp_agent correio_smtp)

# The smtp agent's TLS policy table values (smtp_tls_policy_maps).
correio_fuzz_target(smtp_tls_policy_entry_fuzz smtp_tls_policy_entry_fuzz.cpp correio_smtp_agent)

# smtpd access control: restriction lists, access(5) results, DNS list filters, templates.
correio_fuzz_target(smtpd_access_fuzz smtpd_access_fuzz.cpp correio_smtpd)

# MTA-STS (RFC 8461): the policy file fetched over HTTPS and the _mta-sts TXT record.
correio_fuzz_target(mta_sts_policy_fuzz mta_sts_policy_fuzz.cpp correio_smtp_agent)
