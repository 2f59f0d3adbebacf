"""Storage: the SQLAlchemy base, engines for SQLite and PostgreSQL, and Alembic migrations."""
