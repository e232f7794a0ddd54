"""Hostile input (issue 13, area `output`): what would reach the terminal or an output raw, or
make a scheme that validates but cannot be written. A scheme title holding a lone surrogate
("\\ud800"), a unit name with a control character and one with a bidi override, scheme ids that
are paths (`../x`, `a..b`), and an evidence header holding an escape sequence (it is named in the
message, escaped). Run by tests/hostile/make_corpus.py (`main(folder)` writes the files); each is
listed in expected.yaml beside it with what it gets. Attacks that need a signal, a full disk, a
named pipe or a filled form to overwrite are made at test time: tests/test_hostile_output.py."""

from __future__ import annotations

from pathlib import Path


def scheme(title: str = "t", unit: str = "甲", scheme_id: str = "t") -> str:
    """A small valid scheme, with the title, unit name and id given as YAML scalars."""
    return (f"id: {scheme_id}\ntitle: {title}\nfull_score: 1\nunits:\n  - name: {unit}\nsections:\n"
            '  - id: "1"\n    title: s\n    points: 1\n    items:\n      - id: "1.1"\n        title: i\n'
            '        points: 1\n        criteria:\n          - id: "1.1.1"\n            text: c\n'
            "            points: 1\n            rule: {kind: met}\n")


def main(folder: Path) -> None:
    def text(name: str, body: str) -> None:
        (folder / name).write_text(body, encoding="utf-8")

    text("surrogate_title.yaml", scheme(title='"\\ud800"'))  # YAML's escape makes a lone surrogate
    text("control_unit.yaml", scheme(unit='"甲\\x07"'))
    text("bidi_unit.yaml", scheme(unit='"乙\\u202e"'))
    text("newline_unit.yaml", scheme(unit='"甲\\n乙"'))
    text("zero_width_unit.yaml", scheme(unit='"丁\\u200b"'))  # looks like 丁, matches no evidence of 丁
    text("blank_unit.yaml", scheme(unit='"  "'))  # "" once its spaces are gone: no evidence can name it
    text("bidi_title.yaml", scheme(title='"工\\u202e作"'))  # shown as 工 and the rest turned round
    text("path_id.yaml", scheme(scheme_id='"../x"'))  # `kaohe test` would read ../examples/../x/
    text("dotdot_id.yaml", scheme(scheme_id="a..b"))
    text("escape_header.csv", "单位,1.1.1,9.9\x1b[2J\n溧阳市,2,1\n")
