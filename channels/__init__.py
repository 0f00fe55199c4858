"""Thin adapters between the outside world and the lookup core, one folder per channel."""
