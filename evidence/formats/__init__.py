"""Readers and writers of bibliographic formats: pure parsing, no database and no network."""
