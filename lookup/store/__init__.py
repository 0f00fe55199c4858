"""Persistence: the only package that speaks SQL. One module per noun."""

from lookup.store.db import Store

__all__ = ["Store"]
