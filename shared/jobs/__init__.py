"""Jobs: the record of one run, its guarded status transitions, leases, and waiting for it."""
