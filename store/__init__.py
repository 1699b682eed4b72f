"""Redis-backed records: the edges' storage (callbacks, conversations, outbound, opt-outs)."""
