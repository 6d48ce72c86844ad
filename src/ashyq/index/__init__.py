"""The Openness Index: methodology as data, the engine, inputs, reference data and reconciliation."""
