"""The kernel families of docs/mathematics.md §2, each with its closed forms.

- ExpSum:       ρ = Σ g_k e^{−λ_k t};           memory 1/min Re λ;  ℒρ = Σ g_k/(s + λ_k)
- PowerLaw:     ρ = (1 + t/τ)^{−(1+ω)};          memory 1/ω;         ℒρ = τ e^{sτ}(sτ)^ω Γ(−ω, sτ)
- GaussianBump: ρ = e^{−((t − t₀)/σ)²};   memory t₀;  ℒρ = (σ√π/2) e^{(sσ/2)²−st₀} erfc(sσ/2−t₀/σ)
- GammaBump:    ρ = A t^k e^{−t}, ‖ρ‖_{L²} = 1;  memory k;          ℒρ = A Γ(k+1)/(1 + s)^{k+1}
- Airy:         ρ = Ai(s₀(t − t₀));              memory t₀;         ℒρ by quadrature
- DelayBox:     ρ = 1{t₀ < t < t₀ + w};          memory t₀;         ℒρ = (e^{−st₀} − e^{−s(t₀+w)})/s
- Custom:       any vectorised integrable callable; everything by quadrature

Reference: Li, Han, E, Li, "On the Curse of Memory in Recurrent Neural Networks",
ICLR 2021 (targets of §4–5 are exponential sums, power laws, shifted bumps and Airy).
"""

from seqmem.kernels.airy import Airy
from seqmem.kernels.bumps import GammaBump, GaussianBump
from seqmem.kernels.custom import Custom
from seqmem.kernels.delay import DelayBox
from seqmem.kernels.exponential import DampedCosine, Exponential, ExpSum
from seqmem.kernels.powerlaw import PowerLaw

__all__ = [
    "Airy",
    "Custom",
    "DampedCosine",
    "DelayBox",
    "ExpSum",
    "Exponential",
    "GammaBump",
    "GaussianBump",
    "PowerLaw",
]
