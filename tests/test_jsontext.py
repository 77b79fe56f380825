"""sessions.jsontext: JSON from outside, parsed with limits (depth, NUL, non-finite numbers)."""

import pytest

from sessions.jsontext import MAX_DEPTH, UnsafeJSON, loads


def nested(depth):
    return "[" * depth + "]" * depth


def test_nesting_up_to_the_limit_is_accepted_and_beyond_it_refused():
    assert loads(nested(MAX_DEPTH)) is not None
    with pytest.raises(UnsafeJSON, match="nested too deeply"):
        loads(nested(MAX_DEPTH + 1))
    with pytest.raises(UnsafeJSON, match="nested too deeply"):
        loads(nested(100_000))  # RecursionError inside the parser


def test_objects_count_as_levels_too():
    text = '{"a":' * MAX_DEPTH + "1" + "}" * MAX_DEPTH
    assert loads(text)
    with pytest.raises(UnsafeJSON):
        loads('{"a":' + text + "}")


@pytest.mark.parametrize("text", ['"a\\u0000b"', '{"k\\u0000": 1}', '[[{"x": ["\\u0000"]}]]'])
def test_a_nul_anywhere_is_refused(text):
    with pytest.raises(UnsafeJSON, match="NUL"):
        loads(text)


def test_an_escaped_backslash_before_u0000_is_no_nul():
    assert loads('"\\\\u0000"') == "\\u0000"


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"q": -Infinity}', "1e999", "[-1e400]"])
def test_non_finite_numbers_are_refused_when_asked(text):
    with pytest.raises(UnsafeJSON, match="not finite"):
        loads(text, allow_nan=False)
    loads(text)  # the old apps' files may carry NaN: imports accept them


def test_ordinary_json_is_unchanged():
    text = '{"orders": [{"order_number": "#1", "items": [{"sku": "A", "quantity": 2.0}]}]}'
    assert loads(text, allow_nan=False) == {
        "orders": [{"order_number": "#1", "items": [{"sku": "A", "quantity": 2.0}]}]}
