"""A sweep from its TOML config into a results store, and what the store holds after it.

:func:`sweep_into_store` is the run of ``seqmem sweep``: it loads and validates the config
(:func:`~seqmem.sweep.config.load_config`), opens or creates the store, runs what is not
done yet (:func:`~seqmem.sweep.execute.run_sweep`, so a second call resumes) and returns
the sweep's tallies with the store's counts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from seqmem.sweep.config import load_config
from seqmem.sweep.execute import SweepSummary, run_sweep
from seqmem.sweep.store import DEFAULT_STORE, ResultsStore


@dataclass(frozen=True)
class StoredSweep:
    """One call of :func:`sweep_into_store`: the config's experiment, what the sweep did
    (:class:`~seqmem.sweep.execute.SweepSummary`), the store path as given, and the counts
    of done and failed runs the store holds afterwards (other sweeps' runs included).

    ``as_dict()`` gives the ``seqmem sweep --json`` keys.
    """

    experiment: str
    summary: SweepSummary
    store: str | os.PathLike
    counts: dict[str, int]

    def as_dict(self) -> dict:
        return {
            "runs": self.summary.runs,
            "experiment": self.experiment,
            "already_done": self.summary.already_done,
            "executed": self.summary.executed,
            "failed": self.summary.failed,
            "seconds": self.summary.seconds,
            "store": str(self.store),
            "counts": self.counts,
        }


def sweep_into_store(
    config_path: str | os.PathLike,
    store: str | os.PathLike = DEFAULT_STORE,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = True,
) -> StoredSweep:
    """Run the sweep of the config file at ``config_path`` into the store at ``store``
    (created with its folders when missing); ``executor``, ``workers``, ``scheduler`` and
    ``progress`` as in :func:`~seqmem.sweep.execute.run_sweep`."""
    config = load_config(config_path)
    with ResultsStore(store) as results:
        summary = run_sweep(
            config,
            results,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )
        counts = results.counts()
    return StoredSweep(config.experiment, summary, store, counts)
