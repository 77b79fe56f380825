"""JSON from outside the server (request bodies, imported files), parsed with limits.

Python's parser recurses: a body of 5,000 nested brackets raised RecursionError, which no
caller expected (an HTML 500), and data nested a few hundred deep would fail later wherever it
is encoded again (the JSON columns). A NUL character cannot be stored by PostgreSQL, in a text
or a JSON column. So every JSON the server takes in is parsed here once and refused, as a
ValueError with a message for people, when it nests deeper than MAX_DEPTH or carries a NUL;
callers already turn a ValueError into their own "not valid JSON" answer. The checks cost a
fraction of the parse: a NUL can only come from a `\\u0000` escape in the text, and only
containers are walked for the depth.
"""

import json
import math

from django.utils.translation import gettext as _

MAX_DEPTH = 64  # a packing list is 4 deep (list → orders → items → extra fields)


class UnsafeJSON(ValueError):
    """Valid JSON the server will not take (too deeply nested, a NUL, a non-finite number)."""


def loads(text, *, allow_nan=True, **kwargs):
    """json.loads with the limits above; `allow_nan=False` also refuses NaN, ±Infinity and
    numbers too large for a float (1e999), which JSON columns cannot store."""
    if not allow_nan:
        kwargs.setdefault("parse_constant", _not_finite)
        kwargs.setdefault("parse_float", _finite_float)
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise UnsafeJSON(_too_deep()) from None
    if "\\u0000" in text and _has_nul(value):  # the only way a NUL gets into parsed JSON
        raise UnsafeJSON(_("The JSON contains a NUL character (\\u0000)."))
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth_over(value, MAX_DEPTH):
        raise UnsafeJSON(_too_deep())
    return value


def _too_deep():
    return _("The JSON is nested too deeply (at most %(max)d levels).") % {"max": MAX_DEPTH}


def _not_finite(token):
    raise UnsafeJSON(_("The JSON contains a number that is not finite: %(value)s.")
                     % {"value": token})


def _finite_float(token):
    number = float(token)
    if not math.isfinite(number):
        _not_finite(token)
    return number


def _depth_over(value, limit):
    """Is `value` nested deeper than `limit`? One level at a time, containers only (a
    50,000-order list is walked in a few tenths of a second)."""
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below = []
        for item in level:
            if isinstance(item, dict):
                item = item.values()
            elif not isinstance(item, list):
                continue
            below += [child for child in item if isinstance(child, (dict, list))]
        level = below
    return False


def _has_nul(value):
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
