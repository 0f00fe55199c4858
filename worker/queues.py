"""Queue names, in one place: the worker command, `make run` and the enqueuers all read these."""

# Texts to citizens.
ALERTS = "alerts"
# Everything a worker listens to, in priority order.
ALL = (ALERTS,)

__all__ = ["ALERTS", "ALL"]
