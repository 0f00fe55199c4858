"""Every Redis connection of the system is made here: RQ, the rate limiters, pacing, /readyz.

Either one Redis named by REDIS_URL (`make run`'s private one), or the primary that Redis
Sentinel names (REDIS_SENTINELS + REDIS_SENTINEL_MASTER, REDIS_PASSWORD for both the
Sentinels and the data nodes): when the primary dies and Sentinel promotes a replica, the next
command goes to the new primary without a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis import Redis
from redis.sentinel import Sentinel

DEFAULT_SENTINEL_PORT = 26379


def connect(config: Mapping[str, Any], *, timeout: float = 10.0, connect_timeout: float = 2.0,
            **options: Any) -> Redis:
    """A client for the Redis that holds our queues and counters (the primary, with Sentinel)."""
    sentinels = sentinel_addresses(config)
    if not sentinels:
        return Redis.from_url(config["REDIS_URL"], socket_timeout=timeout,
                              socket_connect_timeout=connect_timeout, **options)
    password = config.get("REDIS_PASSWORD") or None
    sentinel = Sentinel(sentinels, socket_timeout=connect_timeout, socket_connect_timeout=connect_timeout,
                        sentinel_kwargs={"password": password, "socket_timeout": connect_timeout,
                                         "socket_connect_timeout": connect_timeout})
    return sentinel.master_for(config["REDIS_SENTINEL_MASTER"], password=password, socket_timeout=timeout,
                               socket_connect_timeout=connect_timeout, **options)


def limits_storage(config: Mapping[str, Any], *, timeout: float = 0.5) -> tuple[str, dict[str, Any]]:
    """The `limits` library's storage URI and options for the same Redis (the SMS limits):
    `redis+sentinel://` with Sentinel, else REDIS_URL."""
    sentinels = sentinel_addresses(config)
    options: dict[str, Any] = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
    if not sentinels:
        return config["REDIS_URL"], options
    hosts = ",".join(f"{host}:{port}" for host, port in sentinels)
    if config.get("REDIS_PASSWORD"):
        options["password"] = config["REDIS_PASSWORD"]
    return f"redis+sentinel://{hosts}/{config['REDIS_SENTINEL_MASTER']}", options


def sentinel_addresses(config: Mapping[str, Any]) -> list[tuple[str, int]]:
    """REDIS_SENTINELS (`host:port,host:port`, port 26379 if left out) as (host, port) pairs."""
    found = []
    for item in (config.get("REDIS_SENTINELS") or "").split(","):
        item = item.strip()
        if not item:
            continue
        if item.startswith("["):  # [IPv6]:port
            host, _, rest = item[1:].partition("]")
            port = rest.lstrip(":")
        elif item.count(":") == 1:
            host, _, port = item.partition(":")
        else:
            host, port = item, ""
        found.append((host, int(port) if port else DEFAULT_SENTINEL_PORT))
    if found and not config.get("REDIS_SENTINEL_MASTER"):
        raise ValueError("REDIS_SENTINELS is set but REDIS_SENTINEL_MASTER (the master's name) is not")
    return found


def describe(config: Mapping[str, Any]) -> str:
    """Where Redis is, for logs: never the password."""
    sentinels = sentinel_addresses(config)
    if sentinels:
        return (f"Sentinel master {config['REDIS_SENTINEL_MASTER']!r} via "
                + ",".join(f"{h}:{p}" for h, p in sentinels))
    from redis.connection import parse_url

    parts = parse_url(config["REDIS_URL"])
    return f"redis at {parts.get('host', parts.get('path', '?'))}:{parts.get('port', '')}"
