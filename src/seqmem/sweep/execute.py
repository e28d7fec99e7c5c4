"""Running a sweep: only the runs not yet done, on local processes or a Dask cluster.

:func:`run_sweep` skips every run whose id the store holds as done (so an interrupted sweep
resumes where it stopped, and failed runs are tried again), sends the others to

- ``executor="local"``: ``workers`` workers (default: all cores): this process, plus
  ``workers`` − 1 processes started with ``spawn`` (JAX does not survive ``fork``);
- ``executor="dask"``: Dask distributed, the cluster at ``scheduler`` (``tcp://host:8786``,
  e.g. a ``dask scheduler`` or a dask-jobqueue SLURM/PBS cluster's address) or a
  ``LocalCluster`` of ``workers`` single-threaded worker processes,

and writes each result into the store as it arrives, one short transaction per run, from
this process only. A run that raises is recorded as failed with its error and the sweep
goes on. Every run computes with one BLAS thread wherever it runs (the workers are the
parallelism; spawned workers also start with one OpenMP thread), and every run's randomness
comes from its own parameters, so the stored metrics are bitwise the same whatever the number
of workers or the executor (a Dask cluster should run one thread per worker process).
"""

from __future__ import annotations

import collections
import contextlib
import os
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context

from seqmem.errors import SeqmemValueError, check_integer
from seqmem.sweep.config import PlannedRun, SweepConfig
from seqmem.sweep.store import ResultsStore, StoredRun

EXECUTORS = ("local", "dask")
_ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class SweepSummary:
    """What a call of :func:`run_sweep` did."""

    runs: int
    already_done: int
    executed: int
    failed: int
    seconds: float


def run_one(experiment: str, params: dict) -> dict:
    """Run one point in a worker; never raises (a failure is returned as data).

    Returns {"status": "done", "metrics", "curves", "seconds"} or {"status": "failed",
    "error", "seconds"}.
    """
    from threadpoolctl import threadpool_limits

    from seqmem.experiments.registry import execute

    started = time.perf_counter()
    try:
        # one BLAS thread wherever the run lands (this process, a spawned one, a Dask
        # worker): a threaded BLAS adds in an order set by its thread count, and an
        # optimiser (a best fit's least squares) carries that rounding into the 8th digit
        with threadpool_limits(limits=1, user_api="blas"):
            result = execute(experiment, params)
    except Exception as error:  # recorded in the store; the sweep goes on
        message = f"{type(error).__name__}: {error}"
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return {
            "status": "failed",
            "error": f"{message} (at {os.path.basename(frame.filename)}:{frame.lineno})",
            "seconds": time.perf_counter() - started,
        }
    return {
        "status": "done",
        "metrics": result.metrics,
        "curves": result.curves,
        "seconds": time.perf_counter() - started,
    }


def run_sweep(
    config: SweepConfig,
    store: ResultsStore,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> SweepSummary:
    """Execute the runs of ``config`` that ``store`` does not hold as done.

    Args:
        config: the validated sweep (:func:`~seqmem.sweep.config.load_config`).
        store: where results go (and where finished runs are looked up).
        executor: "local" (this process and a process pool) or "dask"; a ``scheduler``
            implies "dask".
        workers: parallel workers (local: this process and ``workers`` − 1 spawned ones)
            or LocalCluster workers (dask without a scheduler); default: the number of cores.
        scheduler: the address of a running Dask scheduler.
        progress: a progress bar with ETA on stderr.
    """
    from seqmem.provenance import code_version

    version = code_version()
    started = time.perf_counter()
    if scheduler is not None:
        executor = "dask"
    if executor not in EXECUTORS:
        raise SeqmemValueError(
            f"the executor must be one of {', '.join(EXECUTORS)}; got {executor!r}"
        )
    workers = os.cpu_count() or 1 if workers is None else workers
    workers = check_integer("workers", workers, owner="run_sweep", minimum=1)
    statuses = store.statuses()
    pending = [run for run in config.runs if statuses.get(run.id) != "done"]
    failed = 0
    bar = _progress_bar(len(pending), config.name, progress)
    try:
        for run, outcome in _outcomes(pending, executor, workers, scheduler):
            failed += outcome["status"] == "failed"
            store.record(
                StoredRun(
                    id=run.id,
                    experiment=run.experiment,
                    config=run.params,
                    version=version,
                    status=outcome["status"],
                    metrics=outcome.get("metrics", {}),
                    seconds=outcome["seconds"],
                    error=outcome.get("error"),
                    finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
                ),
                outcome.get("curves"),
            )
            bar.update(1)
            bar.set_postfix(failed=failed, refresh=False)
    finally:
        bar.close()
    return SweepSummary(
        runs=len(config.runs),
        already_done=len(config.runs) - len(pending),
        executed=len(pending),
        failed=failed,
        seconds=time.perf_counter() - started,
    )


def _progress_bar(total: int, name: str, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=f"sweep {name}", unit="run", disable=not enabled or total == 0)


def _outcomes(
    pending: list[PlannedRun], executor: str, workers: int, scheduler: str | None
) -> Iterator[tuple[PlannedRun, dict]]:
    """(run, outcome) pairs in the order they finish."""
    if not pending:
        return
    if executor == "local" and min(workers, len(pending)) == 1:
        for run in pending:
            yield run, run_one(run.experiment, run.params)
    elif executor == "local":
        yield from _local_outcomes(pending, workers)
    else:
        yield from _dask_outcomes(pending, workers, scheduler)


def _local_outcomes(pending: list[PlannedRun], workers: int) -> Iterator[tuple[PlannedRun, dict]]:
    """Runs on ``workers`` − 1 spawned processes plus a thread of this process.

    This process has already paid for the interpreter, the imports and (often) the first
    compilations, so it works as one of the workers instead of waiting: a sweep starts at
    once and a pool of w workers costs w − 1 process start-ups (each ~1–1.5 s of CPU). Each
    executor is kept at its capacity from one queue in grid order, so the load balances.
    """
    queue = collections.deque(pending)
    processes = min(workers, len(pending)) - 1
    with (
        _one_thread_per_worker(),
        ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn")) as pool,
        ThreadPoolExecutor(max_workers=1) as here,
    ):
        running: dict[Future, tuple[PlannedRun, object]] = {}

        def refill(executor, capacity: int) -> None:
            while queue and sum(slot is executor for _, slot in running.values()) < capacity:
                run = queue.popleft()
                running[executor.submit(run_one, run.experiment, run.params)] = (run, executor)

        try:
            while queue or running:
                refill(pool, processes)
                refill(here, 1)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    run, _ = running.pop(future)
                    yield run, future.result()
        except BaseException:
            queue.clear()  # the thread finishes its current run; nothing new starts
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _dask_outcomes(pending, workers, scheduler):
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    with contextlib.ExitStack() as stack:
        if scheduler is None:
            stack.enter_context(_one_thread_per_worker())
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=min(workers, len(pending)),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout="20s"))
            except OSError as error:
                raise SeqmemValueError(
                    f"cannot reach the Dask scheduler at {scheduler}: {error}"
                ) from error
        futures = {
            client.submit(
                run_one, run.experiment, run.params, key=f"seqmem-{run.id}", pure=False
            ): run
            for run in pending
        }
        for future in dask_completed(futures):
            yield futures[future], future.result()


@contextlib.contextmanager
def _one_thread_per_worker():
    """Worker processes inherit one-thread BLAS/OpenMP settings (restored afterwards)."""
    saved = {key: os.environ.get(key) for key in _ONE_THREAD}
    os.environ.update(_ONE_THREAD)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
