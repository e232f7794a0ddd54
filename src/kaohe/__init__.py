"""kaohe: 考核办法 as code."""

__version__ = "0.1.0"
