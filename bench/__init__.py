"""Benchmarks: API overhead against a bare FastAPI + SQLAlchemy stack, and list pages at scale.

Each is one command (see bench/README.md); figures are appended to bench/RESULTS.md.
"""
