"""The appeals pipeline: e-Otinish records to the counts the Openness Index is computed from."""
