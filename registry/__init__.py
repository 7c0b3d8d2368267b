"""The reference central registry: FastAPI over SQLite or PostgreSQL (issue #4)."""
