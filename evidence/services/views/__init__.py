"""Read models: what the pages and commands show, read from the stored verdicts. They never
write, and never import the record writers or the bulk transfers (tests/test_layers.py)."""
