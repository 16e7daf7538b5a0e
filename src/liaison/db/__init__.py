"""Persistence: SQLAlchemy models, engines and sessions, migrations, repositories."""
