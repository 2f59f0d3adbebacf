"""The Celery app ``bench.vector_roundtrip`` starts a worker with (``celery -A bench.roundtrip_worker``).

Only that worker imports this module; building the app here, at import, is what ``celery -A`` needs.
"""

from __future__ import annotations

import os

from bench.vector_roundtrip import celery_app

app = celery_app(os.environ["ROUNDTRIP_REDIS_URL"])
