"""What prepares a streamed training's batches: threads or worker processes, and how many.

A Keras classifier's ``fit(data_processes=...)``, else the environment
(``SKSPEECH_DATA_PROCESSES``, ``SKSPEECH_DATA_WORKERS``) when a fit starts;
:func:`default_processes` is what ``skspeech train`` passes.
Imports nothing heavy.
"""

from __future__ import annotations


def data_workers(processes: int | None = None) -> tuple[int, bool]:
    """``(workers, processes)``: what prepares the training batches while the network trains.

    ``processes=N`` (N >= 1; None reads ``SKSPEECH_DATA_PROCESSES``): N
    worker processes, which use more than one core; otherwise
    ``SKSPEECH_DATA_WORKERS`` threads (default 1: one background thread).
    """
    import os
    from numbers import Integral

    def read(name, default, least):
        value = os.environ.get(name, default).strip()
        if not value.isdigit() or int(value) < least:
            what = "threads" if name.endswith("WORKERS") else "worker processes (0: threads)"
            raise ValueError(f"{name} must be a whole number >= {least} ({what} that prepare "
                             f"training batches); got {value!r}.")
        return int(value)

    if processes is None:
        processes = read("SKSPEECH_DATA_PROCESSES", "0", 0)
    elif isinstance(processes, bool) or not isinstance(processes, Integral) or processes < 0:
        raise ValueError(f"data_processes must be a whole number >= 0 (worker processes that "
                         f"prepare training batches; 0: threads); got {processes!r}.")
    if processes:
        return processes, True
    return read("SKSPEECH_DATA_WORKERS", "1", 1), False


def default_processes() -> int:
    """Worker processes ``skspeech train`` prepares batches in when ``SKSPEECH_DATA_PROCESSES``
    is not set: 2 where new processes start by forking (Linux up to Python 3.13) on a machine
    of two cores or more, else 0 (one background thread)."""
    import multiprocessing
    import os

    method = (multiprocessing.get_start_method(allow_none=True)
              or multiprocessing.get_all_start_methods()[0])
    return 2 if method == "fork" and (os.cpu_count() or 1) >= 2 else 0
