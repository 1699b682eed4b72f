"""The empty rq job the bench uses to measure rq's own throughput on the service's worker."""


def noop() -> None:
    """Do nothing: what is left is rq's cost per job."""
