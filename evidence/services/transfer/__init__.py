"""Bulk transfer: imports, exports, the JSON dump and restore, the starter seeds and the
synthetic demo data."""
