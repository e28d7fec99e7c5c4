"""Small numerical helpers shared by the kernel families."""

import math

import numpy as np

SQRT_PI = math.sqrt(math.pi)
EPS = float(np.finfo(float).eps)


def complex_or_real(s: object) -> np.ndarray:
    """s as a complex128 array if it is complex, else as float64."""
    s = np.asarray(s)
    return s.astype(complex) if np.iscomplexobj(s) else s.astype(float)
