"""gunicorn hooks for tracuu (the command line holds the rest: bind, workers, logging).

Used by `make run` and deploy/systemd/tracuu-web.service."""


def child_exit(server, worker):
    # /metrics sums every process's files: a dead worker's live gauges must stop counting.
    import metrics

    metrics.process_exited(worker.pid)
