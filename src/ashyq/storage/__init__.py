"""Files on disk that a later reader trusts: written whole, durably, or not at all."""
