"""The broker side both ends share: the Celery app factory and publishing job messages."""
