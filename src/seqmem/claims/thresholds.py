"""The thresholds of the claims, each with its reason.

Where a unit test checks the same quantity, the claim's threshold is that test's, never
looser (tests/test_claims.py pins them).
"""

#: log10 of the likelihood ratio that decides between two two-parameter laws: a factor of
#: 100, "decisive" on Jeffreys' scale (seqmem.laws).
DECISIVE_EVIDENCE = 2.0
#: r² of the exponential error law of exponential-type memory (the unit test's, airy(t0=2)).
EXPONENTIAL_R2 = 0.98
#: the power-law kernel's error exponent below this share of airy's (the unit test: airy's
#: exponent exceeds twice powerlaw(ω = 2)'s, a fortiori ω = ½'s).
POWER_LAW_SHARE = 0.5
#: |measured − (α + 3/2)| for Jackson's exponents (the unit test's tolerance, widths 16–64).
JACKSON_EXPONENT_GAP = 0.15
#: the slowest rate of power-law fits at the largest width, as a share of m = 1's (the
#: unit test's, powerlaw(ω = ½)).
INVERSE_DRIFT = 0.05
#: the slowest rate that fits of exponential-type memory keep beyond m = 1 (the unit test's,
#: airy(t0=2), whose own rates are O(1)).
EXPONENTIAL_SLOWEST_RATE = 0.5
#: accuracy of a Hankel singular value relative to σ₁ (the matrix route's refinement
#: target; the quadrature and Gramian routes do better): an error below σ_{m+1} − this × σ₁
#: contradicts the floor.
HANKEL_RTOL = 1e-6
#: the loss ratio end/start of a representable target (the unit test's).
NO_PLATEAU_DROP = 1e-6
#: |plateau level − ‖ρ₀‖²| with ‖ρ₀‖² = 1 (the unit test's).
PLATEAU_LEVEL_ATOL = 0.01
#: r² of log(plateau length) against t₀ (the unit test's).
PLATEAU_R2 = 0.95
#: |measured slope / ln(1 + w̄) − 1| (the unit test's, rel = 0.2).
MECHANISM_RTOL = 0.2
#: |steps × step size / flow time − 1| (the unit test's, plain gradient descent).
FLOW_TIME_RTOL = 0.05
#: Adam's log-length slope below this share of the flow's (the unit test's).
ADAM_SLOPE_SHARE = 0.8
#: rate at escape × (2t₀ + 1) (the unit test's range).
ESCAPE_RATE_RANGE = (1.0, 1.6)
#: a run ends on the approximation floor when its loss is within this factor of the best
#: width-m loss (the definition the stall labels use, and the unit test's).
FLOOR_FACTOR = 1.5
#: the best width-m loss is a floor, not a rounding residue, above this share of ‖ρ‖² (the
#: unit test's, far Gaussian bump).
FLOOR_SHARE = 0.1
#: a run has learned when it removed at least half of the loss a width-m model can remove
#: ((J_end − J_best)/(J_start − J_best) below this): it is closer to the best fit than to
#: where it started.
UNLEARNED_SHARE = 0.5
#: standard errors by which a slope must exceed 0 (one-sided 97.7 % for Gaussian errors).
SIGNIFICANCE_Z = 2.0
#: sampled-data claims need this many seeds per memory, for a scatter to measure.
MIN_SEEDS = 3
#: r² of the memory centroid's straight line in j (the exact closed form is ≈ 0.6j + 0.3).
CENTROID_R2 = 0.98
#: the linear response's unexplained share of the output variance at σ = 0.5: measured
#: 7–11 % (docs/mathematics.md §4.8), this range leaves a margin of ~2× on each side
#: (a linear target gives 0, a target without linear part 1).
NONLINEAR_SHARE = (0.03, 0.2)
#: a Lorenz run stalls when its final loss exceeds the loss a width-m model reaches by this
#: factor (the floor factor: within it the run is on the floor, not stalled).
STALL_FACTOR = FLOOR_FACTOR
