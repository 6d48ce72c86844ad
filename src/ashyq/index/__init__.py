"""The Openness Index: methodology as data, engine, inputs, reference data, reconciliation."""
