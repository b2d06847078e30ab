"""Django's PostgreSQL backend with bulk writes kept under PostgreSQL's parameter limit (base.py)."""
