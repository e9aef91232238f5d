"""Mail: sending a message over SMTP (plain, STARTTLS or TLS), answering delivered or refused."""
