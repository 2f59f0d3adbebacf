"""Jobs of every kind: the record of one run, its guarded status transitions, leases, the runner that
calls a kind's ``run``, recovery, and waiting for a job."""
