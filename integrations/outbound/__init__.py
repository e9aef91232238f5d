"""Outbound HTTP to addresses people give us (calendar sources, webhooks), guarded in one place:
the address policy of `domain.guards.addresses` applied to the address actually connected to, one overall
deadline over connect, TLS, headers and body, and a cap on what is read (decoded bytes counted as
they are decoded)."""
