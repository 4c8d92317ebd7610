"""Each escaping filter writes any string so that its language's own parser reads it back exactly."""

from __future__ import annotations

import ast
import re
import tomllib

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlgen import escape, hcl

# Every code point except lone surrogates (which no file can hold), weighted towards the awkward.
awkward = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\n\r\t\x00\x08\x0c\x1b\x7f\x85\u2028\u2029\u202e\ufeff\"'\\$%{}#`")),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(awkward)
def test_python_literal_round_trips(value: str) -> None:
    assert ast.literal_eval(escape.py(value)) == value
    assert ast.literal_eval(f'"""{escape.py_text(value)}"""') == value


@settings(max_examples=300)
@given(awkward)
def test_toml_string_round_trips(value: str) -> None:
    assert tomllib.loads(f"x = {escape.toml(value)}\n")["x"] == value


@settings(max_examples=300)
@given(awkward)
def test_yaml_scalar_round_trips_and_stays_one_line(value: str) -> None:
    written = escape.yaml(value)
    assert "\n" not in written
    assert yaml.safe_load(f"x: {written}\n") == {"x": value}
    assert yaml.safe_load(f"x: {escape.yaml([value, value])}\n") == {"x": [value, value]}


@settings(max_examples=300)
@given(awkward)
def test_workflow_value_has_no_expression_but_the_literal_one(value: str) -> None:
    parsed = yaml.safe_load(f"x: {escape.gha(value)}\n")["x"]
    # Actions would evaluate ${{ '${{' }} to the two characters, and nothing else is an expression.
    assert parsed.replace("${{ '${{' }}", "${{") == value
    assert "${{" not in parsed.replace("${{ '${{' }}", "")


def test_workflow_expression_is_kept_literal() -> None:
    assert escape.gha("${{ secrets.KEY }}") == "\"${{ '${{' }} secrets.KEY }}\""


@settings(max_examples=300)
@given(awkward)
def test_comment_text_is_one_line_without_a_continuation(value: str) -> None:
    text = escape.comment(value)
    assert text.splitlines() == ([text] if text else [])
    assert not text.endswith("\\")
    assert all(escape.is_text_char(ch) or ch == "\ufffd" for ch in text)


@settings(max_examples=300)
@given(awkward)
def test_markdown_text_has_no_markup_left(value: str) -> None:
    text = escape.md(value)
    assert text.splitlines() == ([text] if text else [])
    unescaped = text.replace("\\\\", "")
    for ch in "`*[]|~":
        assert ch not in unescaped.replace("\\" + ch, "")
    assert re.search(r"<[A-Za-z/!?]", text) is None  # no HTML tag, comment or processing instruction


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("a\x08b", '"a\\u0008b"'),  # JSON's \b is not an HCL escape
        ("a\x0cb", '"a\\u000cb"'),
        ("${x} %{y} $${z}", '"$${x} %%{y} $$${z}"'),
        ('q"\\', '"q\\"\\\\"'),
        ("🚀\u2028", '"🚀\\u2028"'),
    ],
)
def test_hcl_string_uses_only_hcl_escapes(value: str, written: str) -> None:
    assert hcl.value(value) == written


@pytest.mark.parametrize("value", ["a b", "a$(shell id)", "a\nb", "a#b", "a;b", "", 'a"b', "$(X)"])
def test_word_filters_refuse_what_needs_quoting(value: str) -> None:
    for word in (escape.make, escape.docker, escape.md_code, escape.yaml_word):
        with pytest.raises(ValueError, match="cannot"):
            word(value)


def test_word_filters_pass_identifiers_unchanged() -> None:
    assert escape.make(["dev", "prod"]) == "dev prod"
    assert escape.docker("fraud_scoring") == "fraud_scoring"
    assert escape.yaml_word("fraud-scoring") == "fraud-scoring"
    assert escape.py_ident("fraud_scoring") == "fraud_scoring"
    with pytest.raises(ValueError):
        escape.py_ident("fraud-scoring")
    with pytest.raises(ValueError):
        escape.yaml_word("-x")


def test_text_rule_accepts_emoji_and_refuses_controls() -> None:
    assert escape.bad_text_char('🚀 Team 👨\u200d👩\u200d👧 #1 [ML] "q" \\') is None
    for bad in ("\n", "\t", "\x00", "\x7f", "\x85", "\u2028", "\u202e", "\ufeff", "\U000e0001", "\ue000"):
        assert escape.bad_text_char(f"ok{bad}") == (2, bad)
