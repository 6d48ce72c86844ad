"""Administration on the portal: accounts and the audit log, as pages and as the JSON
API."""
