"""Queue names, in one place: the worker command, `make run` and the enqueuers all read these.

Jobs are stored as JSON, not pickle (RQ's default): loading a pickle runs whatever it names, so
anything that reached Redis could run code in the worker before our allow-list is even read.
Every Queue and worker here passes SERIALIZER; a job's arguments are ids (ints and strings).
"""

from rq.serializers import JSONSerializer

# Texts to citizens.
ALERTS = "alerts"
# Answers to citizens chatting with the office's Zalo Official Account: someone is waiting.
CHAT = "chat"
# Everything a worker listens to, in priority order.
ALL = (CHAT, ALERTS)

SERIALIZER = JSONSerializer

__all__ = ["ALERTS", "ALL", "CHAT", "SERIALIZER"]
