"""Who may do what: users, API tokens and dashboard sessions, rotating a leaked credential, the
server's secrets and token hashes, signed links, sign-in throttling and log redaction."""
