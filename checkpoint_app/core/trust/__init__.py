"""Signed documents: pinned distribution keys, the trust list, the policy."""
