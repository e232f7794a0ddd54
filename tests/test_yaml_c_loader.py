"""The scheme YAML loader reads through libyaml when it is installed, and gives exactly what the
pure-Python parser gives: the same data, the same positions, the same errors at the same line:col."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SCHEMES
from kaohe.errors import SchemeError
from kaohe.scheme import yamlload
from kaohe.scheme.load import load_scheme
from kaohe.scheme.yamlload import load_yaml

BUNDLED = sorted(SCHEMES.glob("*.yaml"))
HOSTILE = sorted(p for p in (Path(__file__).parent / "hostile").glob("*.yaml") if p.name != "expected.yaml")
LIBYAML = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")

# Small documents, good and bad; several are where libyaml on its own reads otherwise than PyYAML.
DOCUMENTS = {
    "duplicate_key": "id: a\ntitle: b\nid: c\n",
    "alias": "a: &x 1\nb: *x\n",
    "undefined_alias": "a: *x\n",
    "anchor": "a: &x 1\n",
    "python_tag": "a: !!python/object:os.system x\n",
    "local_tag": "a: !foo x\n",
    "odd_tag_handle": "a: !&!int 1\n",  # libyaml takes `!&!` as a handle, PyYAML refuses it
    "str_tag": "a: !!str 1\n",
    "complex_key": "[a, b]: 1\n",
    "tab_indentation": "a:\n\tb: 1\n",
    "tab_after_colon": "b: \tx\n",  # libyaml accepts it
    "tab_after_value": "a: 1\t\n",  # libyaml accepts it
    "tab_in_quotes": 'a: "x\ty"\n',
    "unclosed_double_quote": 'a: "abc\nb: 1\n',
    "unclosed_single_quote": "a: 'abc\n",
    "unclosed_flow": "a: [1, 2\n",
    "bad_indentation": "a:\n  - b\n - c\n",
    "value_in_plain_scalar": "a: b: c\n",
    "character_cannot_start_token": "a: @x\n",
    "bell_character": "a: b\x07c\n",
    "nul_character": "a: \x00\n",
    # libyaml reads in chunks and stops at the alias; PyYAML checks every character first.
    "late_control_character": "a: &x 1\n" + "b: x\n" * 5000 + "c: \x01\n",
    "bom_at_start": "\ufeffa: 1\n",
    "bom_inside": "a: 1\n\ufeffb: 2\n",  # PyYAML keeps the BOM in the key, libyaml skips it
    "block_header_comment": "a: |#\n  x\n",  # libyaml accepts it
    "empty_flow_value": "a: {b: , c: }\n",  # libyaml marks the empty values one column later
    "empty_flow_pair": "a: [b: ]\n",
    "question_in_flow": "a: [b?]\n",  # libyaml accepts it
    "explicit_key_at_end": "x: 1\n? a",  # libyaml marks the end of the text a line lower
    "explicit_key": "? a\n: b\n",
    "question_in_text": "a: what? why?\n",
    "empty_file": "",
    "only_comment": "# nothing\n",
    "empty_document": "---",
    "document_markers": "---\na: 1\n...\n",
    "two_documents": "a: 1\n---\nb: 2\n",
    "list_not_mapping": "- a\n- b\n",
    "scalar_not_mapping": "just text\n",
    "yaml_1_3_directive": "%YAML 1.3\n---\na: 1\n",  # libyaml refuses, PyYAML accepts
    "surrogate_escape": 'a: "\\ud800"\n',  # libyaml refuses, PyYAML accepts
    "long_key": "k" * 1025 + ": 1\n",
    "long_cjk_key": "键" * 1024 + ": 1\n",
    "deep_nesting": "a: " + "[" * 150 + "]" * 150 + "\n",
    "crlf": "a:\r\n  - 1\r\n  - 汉字\r\n",
    "other_line_breaks": "a: 1\x85b: 2\u2028c: 3\u2029d: 4\n",
    "wide_characters": "名称: 😀汉字\n说明: '引号'\n分值: 0.5\n",
}


def _outcome(load: Callable[[], tuple[Any, Any]]) -> tuple[Any, ...]:
    """Everything a caller can see: the data with its types, every position, or the error lines."""
    try:
        data, positions = load()
    except SchemeError as e:
        return ("error", [str(p) for p in e.problems])
    return ("ok", repr(data), positions.values, positions.keys)


def _both(text: str, name: str = "s.yaml") -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    return _outcome(lambda: load_yaml(text, name)), _outcome(lambda: load_yaml(text, name, pure=True))


def _scheme_outcome(path: Path) -> tuple[Any, ...]:
    def load() -> tuple[Any, Any]:
        loaded = load_scheme(path)
        return loaded.scheme, loaded.positions

    return _outcome(load)


class _PureParserRan(Exception):
    pass


class _NoPureParser:
    def __init__(self, *args: object) -> None:
        raise _PureParserRan


@LIBYAML
def test_libyaml_is_the_default_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    from yaml.cyaml import CParser

    assert yamlload.CParser is CParser
    assert issubclass(yamlload._CNoAliasLoader, CParser)
    text = (SCHEMES / "changzhou-2018.yaml").read_text(encoding="utf-8")
    monkeypatch.setattr(yamlload, "_NoAliasLoader", _NoPureParser)
    data, _ = load_yaml(text, "changzhou-2018.yaml")  # never touches the pure parser
    assert data["id"] == "changzhou-2018"
    with pytest.raises(_PureParserRan):
        load_yaml(text, "changzhou-2018.yaml", pure=True)


@LIBYAML
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scheme_is_read_by_libyaml_alone(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No bundled scheme falls back to the slow parser (a fallback would be right, only slower)."""
    monkeypatch.setattr(yamlload, "_NoAliasLoader", _NoPureParser)
    load_yaml(path.read_bytes().decode("utf-8-sig"), path.name)


@LIBYAML
def test_libyaml_loader_keeps_the_python_composer() -> None:
    # CParser's own composer would resolve the alias; ours refuses the anchor where it stands:
    # line 2 `b: &x 1`, the `&` is the 4th character.
    loader = yamlload._CNoAliasLoader("a: 0\nb: &x 1\nc: *x\n", "s.yaml")
    with pytest.raises(SchemeError) as caught:
        loader.get_single_node()
    assert str(caught.value.problems[0]).startswith("s.yaml:2:4: 错误: 不允许使用锚点或别名")


@LIBYAML
def test_deep_documents_go_to_the_pure_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    # Near the recursion limit the pure parser, which uses more stack frames, fails first.
    monkeypatch.setattr(yamlload, "_NoAliasLoader", _NoPureParser)
    depth = yamlload._MAX_FAST_DEPTH
    load_yaml("[" * depth + "]" * depth, "s.yaml")
    with pytest.raises(_PureParserRan):
        load_yaml("[" * (depth + 1) + "]" * (depth + 1), "s.yaml")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scheme_loads_the_same_on_both_paths(path: Path) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    fast, pure = _both(text, str(path))
    assert fast[0] == "ok"
    assert fast == pure


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_yaml_is_refused_the_same_on_both_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Through load_scheme, so that not_utf8.yaml (refused before parsing) and string_points.yaml
    # (refused by the models, at a YAML position) are compared too.
    fast = _scheme_outcome(path)
    monkeypatch.setattr(yamlload, "CParser", None)  # what an install without libyaml does
    assert fast[0] == "error"
    assert fast == _scheme_outcome(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return
    fast, pure = _both(text, str(path))
    assert fast == pure


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_gives_the_same_result_on_both_paths(name: str) -> None:
    fast, pure = _both(DOCUMENTS[name])
    assert fast == pure


@pytest.mark.parametrize("name", ["list_not_mapping", "scalar_not_mapping", "empty_file", "tab_after_colon"])
def test_scheme_gives_the_same_refusal_on_both_paths(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(DOCUMENTS[name], encoding="utf-8")
    fast = _scheme_outcome(path)
    monkeypatch.setattr(yamlload, "CParser", None)
    assert fast[0] == "error" and fast == _scheme_outcome(path)


def test_error_positions_by_hand() -> None:
    """Positions checked against the text (lines and columns count from 1, in characters)."""
    expected = {
        # line 3 is `id: c`; the repeated key starts in column 1.
        "duplicate_key": 's.yaml:3:1: 错误: 键 "id" 重复,第 1 行已出现过',
        # `b: \tx`: b(1) :(2) space(3) tab(4); PyYAML refuses the tab, libyaml would not.
        "tab_after_colon": "s.yaml:1:4: 错误: YAML 语法错误: found character '\\t' that cannot start any token",
        # `a: !&!int 1`: the tag starts at column 4 and PyYAML stops at the `&` in column 5.
        "odd_tag_handle": "s.yaml:1:5: 错误: YAML 语法错误: expected '!', but found '&'",
        # The BEL follows `a: b`: it is the 5th character (a, :, space, b, BEL).
        "bell_character": "s.yaml: 错误: 方案文件第 5 个字符是不允许的字符 U+0007",
        # PyYAML refuses the control character at the end before it reaches the anchor on line 1,
        # where libyaml alone would stop: 8 characters of line 1, 5 × 5000 of the `b: x` lines,
        # then `c: ` and the control character, the 4th of its line.
        "late_control_character": f"s.yaml: 错误: 方案文件第 {8 + 5 * 5000 + 4} 个字符是不允许的字符 U+0001",
    }
    for name, line in expected.items():
        fast, pure = _both(DOCUMENTS[name])
        assert fast == pure == ("error", [line]), name


def test_positions_by_hand() -> None:
    # `a: {b: , c: }`: PyYAML marks the empty value of b just after its `:` (column 7).
    fast, pure = _both(DOCUMENTS["empty_flow_value"])
    assert fast == pure
    assert fast[2][("a", "b")] == (1, 7) and fast[2][("a", "c")] == (1, 12)
    # `名称: 😀汉字`: columns count characters, not UTF-8 bytes.
    fast, _ = _both(DOCUMENTS["wide_characters"])
    assert fast[2][("名称",)] == (1, 5)


FRAGMENTS = [
    "a", "b", "汉字", "1", "0.5", ":", ": ", " ", "  ", "\n", "\n  ", "- ", "\n- ", "[", "]", "{", "}", ", ",
    "'", '"', "#", " # c", "&x ", "*x", "!!str ", "!t ", "?", "? ", "|", ">", "|-\n  ", "---", "...", "\\",
    "\t", "\r\n", "\ufeff", "\x85", "\u2028", "😀", "\x07", "@", "%YAML 1.1\n", "a: b\n", "x:y", '"a":1',
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=16))
def test_random_documents_give_the_same_result_on_both_paths(parts: list[str]) -> None:
    text = "".join(parts)
    fast, pure = _both(text)
    assert fast == pure
