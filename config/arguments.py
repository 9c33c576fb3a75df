"""Argument types for the management commands: a value out of range is argparse's one-line
error naming the option ("argument --batch-size: must be at least 1, not 0"), never a
traceback, nor a run that does the wrong thing quietly (a batch of none built an empty
index and swapped it in)."""

from argparse import ArgumentTypeError

MAX_DAYS = 36_500  # a hundred years: further back than any date Python can subtract to


def positive_int(value: str) -> int:
    number = _number(value, int)
    if number < 1:
        raise ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def positive_seconds(value: str) -> float:
    seconds = _number(value, float)
    if not seconds > 0:  # also NaN
        raise ArgumentTypeError(f"must be more than 0 seconds, not {value}")
    return seconds


def days(value: str) -> int:
    number = positive_int(value)
    if number > MAX_DAYS:
        raise ArgumentTypeError(f"must be at most {MAX_DAYS:,} days, not {number:,}")
    return number


def _number(value: str, kind: type[int] | type[float]) -> int | float:
    try:
        return kind(value)
    except ValueError:
        raise ArgumentTypeError(f"not a number: {value!r}") from None
