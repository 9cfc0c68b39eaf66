"""One verb per module. Each takes a Store and returns a result dataclass; nothing prints."""
