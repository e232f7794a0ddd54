"""Build the hostile corpus: one small file per attack, each refused with a stated message.

Run from the project root: .venv/bin/python tests/hostile/make_corpus.py
The files are committed; this script documents how each was made. Each area of attacks has its
folder (tests/hostile/<area>/) with its own make.py (a `main(folder)`) and expected.yaml; this
script runs them all.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "证据"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, member: str, change) -> bytes:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, change(body) if info.filename == member else body)
    return out.getvalue()


def main() -> None:
    base = _xlsx([["单位", "1.1.1"], ["溧阳市", "=1+1"]])
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
            + b"".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
                       for i in range(1, 10))
            + b"]>\n")
    (HERE / "entity_bomb.xlsx").write_bytes(_rewrite(
        base, "xl/worksheets/sheet1.xml", lambda body: bomb + body.split(b"?>", 1)[-1].replace(
            b"<sheetData>", b"<sheetData><!-- &lol9; -->", 1).replace(b"</worksheet>", b"<x>&lol9;</x></worksheet>")))
    zeros = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (64 * 1024 * 1024))
    (HERE / "zip_bomb.xlsx").write_bytes(zeros.getvalue())
    (HERE / "renamed_csv.xlsx").write_bytes("单位,1.1.1\n溧阳市,2\n".encode())
    (HERE / "old_format.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (HERE / "password.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
    (HERE / "formula_without_value.xlsx").write_bytes(base)
    (HERE / "undecodable.csv").write_bytes("单位,1.1.1\n".encode() + b"\xff\xfe\x80\x81\n")
    (HERE / "nul_bytes.csv").write_bytes("单位,1.1.1\n溧阳市,1\x00\n".encode())
    (HERE / "ragged_row.csv").write_text("单位,1.1.1\n溧阳市,1,2,3\n", encoding="utf-8")
    (HERE / "no_value_column.csv").write_text("单位,指标,备注\n溧阳市,1.1.1,两次\n", encoding="utf-8")
    (HERE / "nan.csv").write_text("单位,4.1.1\n溧阳市,nan\n", encoding="utf-8")
    (HERE / "infinity.csv").write_text("单位,4.1.1\n溧阳市,inf\n", encoding="utf-8")
    (HERE / "negative_count.csv").write_text("单位,1.1.1\n溧阳市,-1\n", encoding="utf-8")
    (HERE / "fractional_count.csv").write_text("单位,1.1.1\n溧阳市,2.5\n", encoding="utf-8")
    (HERE / "points_out_of_range.csv").write_text("单位,4.1.1\n溧阳市,4.5\n", encoding="utf-8")
    (HERE / "long_string.csv").write_text("单位,1.1.1,备注\n溧阳市,1," + "长" * 5000 + "\n", encoding="utf-8")
    (HERE / "control_character.csv").write_text("单位,1.1.1\n溧阳\x07市,1\n", encoding="utf-8")
    # What Excel stores for =0.1+0.2 (openpyxl would round it to 0.3 when writing).
    (HERE / "float_noise.xlsx").write_bytes(_rewrite(
        _xlsx([["单位", "4.1.1"], ["溧阳市", 0.3]]), "xl/worksheets/sheet1.xml",
        lambda body: body.replace(b"<v>0.3</v>", b"<v>0.30000000000000004</v>")))
    (HERE / "alias_bomb.yaml").write_text(
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n", encoding="utf-8")
    (HERE / "python_tag.yaml").write_text("id: !!python/object/apply:os.system [echo pwned]\n", encoding="utf-8")
    (HERE / "duplicate_key.yaml").write_text("id: a\ntitle: b\nid: c\n", encoding="utf-8")
    (HERE / "string_points.yaml").write_text(
        'id: t\ntitle: t\nfull_score: "100"\nsections: []\n', encoding="utf-8")
    (HERE / "not_utf8.yaml").write_bytes("id: 测试\n".encode("gb18030"))


def areas() -> None:
    import importlib.util

    for maker in sorted(HERE.glob("*/make.py")):
        spec = importlib.util.spec_from_file_location(f"corpus_{maker.parent.name}", maker)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.main(maker.parent)


if __name__ == "__main__":
    main()
    areas()
