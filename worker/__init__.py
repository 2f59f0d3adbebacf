"""The Celery side: the worker app, its tasks (thin: ids in, shared/ services called), and the sweeper."""
