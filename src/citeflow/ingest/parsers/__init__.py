"""Parsers: from a file's bytes to its text sections, one module per format (pipeline spec §4.1)."""
