"""Control characters, bidi overrides and lone surrogates never reach stored text (issue 14.19)."""

from __future__ import annotations

import pytest

from kehu.core.text import clean_multiline, clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("华东\x07贸易", "华东贸易"),  # BEL
        ("\x1b[31m红色\x1b[0m公司", "[31m红色[0m公司"),  # ESC alone is dropped
        ("a\x00b", "ab"),  # NUL
        ("a\x7fb\x9bc", "abc"),  # DEL and a C1 control
        ("exe.\u202etxt", "exe.txt"),  # right-to-left override
        ("\u2066张三\u2069", "张三"),  # bidi isolates
        ("\u200e李四\u200f", "李四"),  # LRM / RLM
        ("王\ud800五", "王五"),  # a lone surrogate from a JSON \ud800
        ("\ufeff\u200b赵六", "赵六"),
        ("a\tb\nc\x0bd", "a b c d"),  # whitespace controls fold to one space
        ("👨\u200d👩", "👨\u200d👩"),  # a zero-width joiner inside an emoji stays
        ("ＡＢＣ　１２３", "ABC 123"),
    ],
)
def test_clean_text_drops_invisible_characters(raw, expected):
    assert clean_text(raw) == expected


def test_clean_multiline_keeps_line_breaks_and_drops_controls():
    assert clean_multiline("第一行\x07\r\n\u202e第二行\x1b\n\n第四行") == "第一行\n第二行\n\n第四行"
    assert clean_multiline("a\tb") == "a b"
