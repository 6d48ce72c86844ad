"""Public monitoring of public services: survey scores with survey weights, the scale
bands of the agency's report, and its published figures (seed 001)."""
