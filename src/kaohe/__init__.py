"""kaohe: 考核办法 as code."""

import os

# python-docx (kaohe publish) brings lxml, and openpyxl writes through lxml whenever it is
# importable. Its lxml writer reports a full disk as lxml's SerialisationError (not an OSError)
# and leaves a half-run generator that prints "Exception ignored" on stderr; the standard
# library's writer, which openpyxl uses without lxml, fails as an OSError like every other
# write. Set before openpyxl is first imported; a caller's own setting is kept.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"
