from __future__ import annotations

import pytest

from mlgen.hcl import attributes, value


@pytest.mark.parametrize(
    ("v", "out"),
    [
        (None, "null"),
        (True, "true"),
        (3, "3"),
        (2.0, "2"),
        (1.5, "1.5"),
        ("a", '"a"'),
        ("${x}", '"$${x}"'),
        ([1, "b"], '[1, "b"]'),
        ({}, "{}"),
        ({"a-b": 1, "c": [True], "x y": 0}, '{ a-b = 1, c = [true], "x y" = 0 }'),
        ({"$ref": 'module.keys.key_arns["data"]'}, 'module.keys.key_arns["data"]'),
    ],
)
def test_value(v: object, out: str) -> None:
    assert value(v) == out


def test_attributes_are_aligned_like_terraform_fmt() -> None:
    assert attributes({"a": 1, "long_name": "x"}) == '  a         = 1\n  long_name = "x"'
