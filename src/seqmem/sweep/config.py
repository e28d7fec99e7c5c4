"""Sweep configs in TOML: an experiment, fixed parameters and a grid, expanded into runs.

A config names one experiment of :mod:`seqmem.experiments.registry`, parameters shared by
every run (``[fixed]``) and a grid (``[grid]``, each key a non-empty array); the runs are
the Cartesian product of the grid, in the order the keys are written, with the fixed
parameters added::

    experiment = "plateau"

    [fixed]
    template = "exp(rate=3)+gammabump(k={t0})"

    [grid]
    memory = [3, 4, 5, 6]
    optimizer = ["flow", "gd"]

Every run is validated before any runs (unknown experiment or parameter, wrong type, empty
grid: one-line errors) and keyed by a content hash of its normalised parameters and the
code version (:func:`seqmem.provenance.code_version`: the release and a fingerprint of the
source), so reruns find what is already stored and a change of code recomputes.
"""

from __future__ import annotations

import itertools
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from seqmem.errors import SeqmemValueError
from seqmem.experiments.registry import experiment, normalise, run_id

TOP_LEVEL_KEYS = ("experiment", "name", "description", "fixed", "grid")


@dataclass(frozen=True)
class PlannedRun:
    """One point of a sweep: the run's id, its experiment and normalised parameters."""

    id: str
    experiment: str
    params: dict


@dataclass(frozen=True)
class SweepConfig:
    """A validated sweep: where it came from and its runs, in grid order."""

    name: str
    experiment: str
    fixed: dict
    grid: dict[str, list]
    runs: list[PlannedRun]


def parse_config(text: str, *, source: str = "<config>", version: str | None = None) -> SweepConfig:
    """Validate a TOML sweep config and expand its grid.

    Example:
        >>> config = parse_config('experiment = "approx"\\n[fixed]\\nspec = "exp(rate=1)"\\n'
        ...                       '[grid]\\nwidth = [1, 2, 3]')
        >>> len(config.runs), config.runs[2].params["width"]
        (3, 3)
    """
    if version is None:
        from seqmem.provenance import code_version

        version = code_version()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SeqmemValueError(f"{source} is not valid TOML: {error}") from error
    unknown = sorted(set(document) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise SeqmemValueError(
            f"{source}: unknown key '{unknown[0]}'; a sweep config has {', '.join(TOP_LEVEL_KEYS)}"
        )
    if "experiment" not in document:
        raise SeqmemValueError(f"{source}: missing 'experiment' (e.g. experiment = \"plateau\")")
    name = document["experiment"]
    spec = experiment(name)
    fixed, grid = document.get("fixed", {}), document.get("grid", {})
    for label, table in (("fixed", fixed), ("grid", grid)):
        if not isinstance(table, dict):
            raise SeqmemValueError(f"{source}: [{label}] must be a table of parameters")
    for key, values in grid.items():
        if not isinstance(values, list):
            raise SeqmemValueError(f"{source}: grid entry '{key}' must be an array of values")
        if not values:
            raise SeqmemValueError(f"{source}: grid entry '{key}' is empty (no runs)")
    both = sorted(set(fixed) & set(grid))
    if both:
        raise SeqmemValueError(f"{source}: parameter '{both[0]}' is both fixed and in the grid")
    for key in [*fixed, *grid]:
        if key not in spec.parameter_names:
            raise SeqmemValueError(
                f"{source}: unknown parameter '{key}' for experiment '{name}'; its parameters "
                f"are {', '.join(spec.parameter_names)}"
            )
    runs, seen = [], set()
    for point in itertools.product(*grid.values()):
        params = normalise(name, {**fixed, **dict(zip(grid, point, strict=True))})
        identifier = run_id(name, params, version)
        if identifier not in seen:  # e.g. a grid listing 1 and 1.0: one run
            seen.add(identifier)
            runs.append(PlannedRun(identifier, name, params))
    return SweepConfig(
        name=str(document.get("name", Path(source).stem)),
        experiment=name,
        fixed=fixed,
        grid=grid,
        runs=runs,
    )


def load_config(path: str | os.PathLike) -> SweepConfig:
    """Read and validate the TOML sweep config at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SeqmemValueError(f"cannot read the sweep config {path}: {error}") from error
    return parse_config(text, source=str(path))
