"""Lookup by identity document (spec 5.1), the checkpoint's side: ask the platform (client),
accept only a signed, fresh answer to our own nonce (answer), decide it like a code (decide)."""
