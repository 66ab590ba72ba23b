"""The size budget of exact numbers, checked before any expensive work (docs/numbers.md).

Every number string exactnet reads (network weights, ``eval`` inputs, ``--eps``, domain files,
certificate numbers) is parsed under one :class:`NumberBudget`. Each limit bounds the cost of a
later step: integer sizes bound rational arithmetic, the root index, polynomial degree, number
of generators and field degree bound the SymPy/FLINT work that builds a number field. Values
over a limit are refused at once with a :class:`NumberLimitError` naming the limit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import NumberError


class NumberLimitError(NumberError):
    """A number whose size exceeds a limit of the :class:`NumberBudget` (exit 2)."""


@dataclass(frozen=True)
class NumberBudget:
    """Limits on one number string and on the numbers parsed together (see docs/numbers.md)."""

    #: Characters in one number string.
    max_text_length: int = 250_000
    #: Decimal digits of one integer written in the text (a numerator, denominator or significand).
    max_digits: int = 100_000
    #: Bits of any integer computed while parsing, and of the size estimate of any sub-expression
    #: (about ``max_digits`` decimal digits).
    max_integer_bits: int = 332_200
    #: Absolute value of the exponent of a decimal literal (``1e-5``).
    max_decimal_exponent: int = 100_000
    #: Nesting depth of the expression (parentheses, function calls, signs, powers).
    max_depth: int = 100
    #: ``|n|`` in ``a**n`` when ``a`` is irrational.
    max_power_exponent: int = 1_000
    #: Size estimate (bits) of the data of one radical or ``CRootOf`` (about 1,000 digits).
    max_root_data_bits: int = 3_322
    #: Degree of the polynomial of a ``CRootOf``.
    max_polynomial_degree: int = 64
    #: Bound on the degree of the number field of the numbers parsed together.
    max_field_degree: int = 64
    #: Distinct radicals and ``CRootOf`` values among the numbers parsed together.
    max_generators: int = 6

    def digits_of_bits(self, bits: int) -> int:
        return math.ceil(bits * math.log10(2))


#: The budget every reader uses.
BUDGET = NumberBudget()


def shown(text: str, width: int = 60) -> str:
    """``repr`` of ``text`` cut to about ``width`` characters (for error messages)."""
    s = repr(text)
    return s if len(s) <= width else s[: width - 5] + "...'" + f" ({len(text):,} characters)"


def over_limit(text: str, what: str, value: int, limit: int, unit: str = "", quote: bool = True
               ) -> NumberLimitError:
    """The error for ``what`` = ``value`` over ``limit`` in ``text`` (the message names the limit;
    ``quote=False`` when ``text`` describes the numbers rather than being one)."""
    unit = f" {unit}" if unit else ""
    amount = f"{value:,}" if value.bit_length() <= 64 else f"about 2**{value.bit_length() - 1}"
    return NumberLimitError(
        f"{shown(text) if quote else text}: {what} is {amount}{unit}, over the limit of {limit:,}{unit}"
        " (exactnet's number budget, see docs/numbers.md)"
    )
