"""Whole numbers from the query string, one way for every route: anything missing, malformed
or out of range is the default (a hand-edited URL never raises)."""
from flask import request

MAX_PAGE = 100000


def to_int(value, default=None, low=None, high=None):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    if (low is not None and number < low) or (high is not None and number > high):
        return default
    return number


def int_arg(name, default=None, low=None, high=None):
    """`request.args[name]` as a whole number within [low, high], else `default`."""
    return to_int(request.args.get(name), default, low, high)


def to_page(value) -> int:
    """A page number from a query value, kept within 1..MAX_PAGE (1 when malformed)."""
    return min(max(to_int(value, 1), 1), MAX_PAGE)


def page_arg(name="page") -> int:
    """The page number asked for, kept within 1..MAX_PAGE."""
    return to_page(request.args.get(name))
