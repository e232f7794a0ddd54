"""Reporters: the terminal, xlsx, csv and json writers, chosen by format."""
