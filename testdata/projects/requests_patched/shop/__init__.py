"""Shop service: importing the package installs the default timeout."""
from . import startup  # noqa: F401
