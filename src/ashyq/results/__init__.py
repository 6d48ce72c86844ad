"""The results of a period as one document: what the portal publishes, stores as drafts and
snapshots, and every page, download and report reads."""
