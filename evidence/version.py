"""The installed package's version (for the User-Agent the metadata services see)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("evidence")
except PackageNotFoundError:  # a source tree that was never installed
    VERSION = "0.0.0"
