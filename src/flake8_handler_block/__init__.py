"""flake8-handler-block: find request handlers that can hang or leak.

Importing the package stays cheap: libcst is imported only by the engine.
"""

__version__ = "0.1.0"
