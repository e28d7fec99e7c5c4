"""Kernel spec strings: the registry of named families and a small recursive-descent parser.

Grammar (whitespace ignored; no ``eval`` anywhere)::

    expr     := term (('+' | '-') term)*
    term     := factor ('*' factor)*          # at most one factor may be a kernel
    factor   := NUMBER | '-' factor | '(' expr ')' | call
    call     := 'shift' '(' expr ',' 'by' '=' NUMBER ')'
              | NAME '(' [NAME '=' signed NUMBER (',' NAME '=' signed NUMBER)*] ')'

Every family call also accepts ``shift=T`` (same as wrapping it in ``shift(..., by=T)``).

Example:
    >>> from_spec("exp(rate=3) + gammabump(k=5)").spec
    'exp(rate=3)+gammabump(k=5)'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from seqmem.errors import SeqmemValueError
from seqmem.kernels.base import Kernel, Scaled, Shifted
from seqmem.kernels.families import (
    Airy,
    DampedCosine,
    DelayBox,
    Exponential,
    GammaBump,
    GaussianBump,
    PowerLaw,
)


@dataclass(frozen=True)
class Family:
    """A named kernel family: its constructor, parameters with defaults (None = required)."""

    name: str
    build: Callable[..., Kernel]
    params: dict[str, float | None]
    description: str


FAMILIES: dict[str, Family] = {
    family.name: family
    for family in (
        Family(
            "exp",
            Exponential,
            {"rate": None, "weight": 1.0},
            "weight·e^{−rate·t}: short memory, exactly one RNN unit",
        ),
        Family(
            "expcos",
            DampedCosine,
            {"rate": None, "freq": None, "phase": 0.0},
            "e^{−rate·t}cos(freq·t + phase): oscillating memory, a complex pair of units",
        ),
        Family(
            "powerlaw",
            PowerLaw,
            {"omega": None, "tau": 1.0},
            "(1 + t/tau)^{−(1+omega)}: long memory, smaller omega is longer (omega > 0)",
        ),
        Family(
            "bump",
            GaussianBump,
            {"t0": None, "sigma": 1.0},
            "e^{−((t − t0)/sigma)²}: memory localised t0 in the past",
        ),
        Family(
            "gammabump",
            GammaBump,
            {"k": None},
            "A t^k e^{−t} with unit L² norm, peak at t = k: the plateau target",
        ),
        Family(
            "airy",
            Airy,
            {"t0": None, "s0": 1.0},
            "Ai(s0(t − t0)): the paper's Airy target, memory ≈ t0",
        ),
        Family(
            "delay",
            DelayBox,
            {"t0": None, "width": 1.0},
            "1{t0 < t < t0 + width}: a delayed window average",
        ),
    )
}


def describe_families() -> list[dict]:
    """[{name, params, description}] for every registered family (``seqmem kernels --json``)."""
    return [
        {"name": f.name, "params": dict(f.params), "description": f.description}
        for f in FAMILIES.values()
    ]


_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z_0-9]*)"
    r"|(?P<op>[-+*(),=]))"
)


def _tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            bad = text[position:].lstrip()[:1]
            raise SeqmemValueError(
                f"malformed kernel spec {text!r}: unexpected character {bad!r} at position "
                f"{position}"
            )
        kind = match.lastgroup
        tokens.append((kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def fail(self, message: str) -> SeqmemValueError:
        return SeqmemValueError(f"malformed kernel spec {self.text!r}: {message}")

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token is None or token[0] != kind or (value is not None and token[1] != value):
            expected = repr(value) if value else kind
            found = "the end" if token is None else repr(token[1])
            raise self.fail(f"expected {expected}, found {found}")
        self.index += 1
        return token[1]

    def at(self, value: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] == value

    def parse(self) -> Kernel:
        if not self.tokens:
            raise self.fail("it is empty")
        result = self.expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()[1]!r} at position {self.peek()[2]}")
        if not isinstance(result, Kernel):
            raise self.fail("it is a number, not a kernel")
        return result

    def expr(self) -> Kernel | float:
        left = self.term()
        while self.at("+") or self.at("-"):
            sign = 1.0 if self.take("op") == "+" else -1.0
            right = self.term()
            if not isinstance(left, Kernel) or not isinstance(right, Kernel):
                raise self.fail("'+' and '-' combine kernels, not numbers")
            left = left + right if sign > 0 else left - right
        return left

    def term(self) -> Kernel | float:
        value = self.factor()
        while self.at("*"):
            self.take("op", "*")
            other = self.factor()
            if isinstance(value, Kernel) and isinstance(other, Kernel):
                raise self.fail("two kernels cannot be multiplied, only scaled by a number")
            value = value * other
        return value

    def factor(self) -> Kernel | float:
        token = self.peek()
        if token is None:
            raise self.fail("it ends where a number or kernel was expected")
        kind, text, _ = token
        if kind == "number":
            self.index += 1
            return float(text)
        if kind == "op" and text == "-":
            self.index += 1
            value = self.factor()
            return Scaled(-1.0, value) if isinstance(value, Kernel) else -value
        if kind == "op" and text == "(":
            self.index += 1
            value = self.expr()
            self.take("op", ")")
            return value
        if kind == "name":
            return self.call()
        raise self.fail(f"unexpected {text!r} at position {token[2]}")

    def signed_number(self) -> float:
        sign = -1.0 if self.at("-") else 1.0
        if sign < 0:
            self.take("op", "-")
        return sign * float(self.take("number"))

    def call(self) -> Kernel:
        name = self.take("name")
        self.take("op", "(")
        if name == "shift":
            inner = self.expr()
            if not isinstance(inner, Kernel):
                raise self.fail("shift(...) needs a kernel as its first argument")
            self.take("op", ",")
            self.take("name", "by")
            self.take("op", "=")
            delay = self.signed_number()
            self.take("op", ")")
            return Shifted(inner, delay)
        if name not in FAMILIES:
            raise SeqmemValueError(
                f"unknown kernel {name!r} in spec {self.text!r}; known kernels: "
                f"{', '.join(FAMILIES)} (and shift(KERNEL, by=T))"
            )
        family = FAMILIES[name]
        arguments: dict[str, float] = {}
        while not self.at(")"):
            if arguments:
                self.take("op", ",")
            key = self.take("name")
            self.take("op", "=")
            if key in arguments:
                raise self.fail(f"parameter {key!r} of {name}() given twice")
            arguments[key] = self.signed_number()
        self.take("op", ")")
        return build_family(family, arguments)


def build_family(family: Family, arguments: dict[str, float]) -> Kernel:
    """Construct ``family`` from keyword values, checking names and required parameters."""
    arguments = dict(arguments)
    delay = arguments.pop("shift", None)
    unknown = sorted(set(arguments) - set(family.params))
    if unknown:
        raise SeqmemValueError(
            f"unknown parameter {unknown[0]!r} for {family.name}(); allowed: "
            f"{', '.join([*family.params, 'shift'])}"
        )
    missing = [
        key for key, default in family.params.items() if default is None and key not in arguments
    ]
    if missing:
        raise SeqmemValueError(f"{family.name}() needs the parameter {missing[0]!r}")
    kernel = family.build(**arguments)
    return kernel if delay is None else Shifted(kernel, delay)


def from_spec(text: str) -> Kernel:
    """Parse a kernel spec such as ``"exp(rate=1)+bump(t0=8)"`` or ``"0.5*powerlaw(omega=1)"``.

    Raises :class:`seqmem.errors.SeqmemValueError` naming the problem for unknown kernels or
    parameters, malformed syntax and invalid values.
    """
    if not isinstance(text, str):
        raise SeqmemValueError(f"a kernel spec must be a string; got {type(text).__name__}")
    return _Parser(text).parse()
