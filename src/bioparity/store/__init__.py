"""Storage of the program workspace: SQLAlchemy models, engine/session set-up and packaged migrations.

The database is ``BIOPARITY_DATABASE_URL`` when set (PostgreSQL via psycopg 3 or SQLite), else a SQLite
file in the user's data folder. ``bioparity db upgrade`` (and the server at start-up) applies migrations
(:func:`bioparity.workspace.integrity.upgrade`: the schema, then the audit-key seal).
"""

from bioparity.store.engine import ENV_VAR, database_url, default_sqlite_path, make_engine, make_sessionmaker
from bioparity.store.migrate import current_revision, head_revision, upgrade_schema

__all__ = [
    "ENV_VAR",
    "current_revision",
    "database_url",
    "default_sqlite_path",
    "head_revision",
    "make_engine",
    "make_sessionmaker",
    "upgrade_schema",
]
