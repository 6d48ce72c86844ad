"""Records from source systems: declared kinds, validated ingest, quarantine, and the store.

Every record-level pipeline (appeals, public-service deliveries) declares its kinds of
record here as data (``model.RecordKind``) and shares one reader, one validator, one
ingest with quarantine and reconciliation, and one Parquet store.
"""
