"""Apps the harness tests serve: one handler per blocking state, each with a correct twin."""
