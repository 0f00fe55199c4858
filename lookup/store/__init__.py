"""Persistence: the only package that speaks SQL. One module per noun."""

from lookup.store.db import Busy, Store

__all__ = ["Busy", "Store"]
