"""Run the test suite on the oldest and newest supported Pythons: `nox`."""

import nox

nox.options.sessions = ["tests"]


@nox.session(python=["3.9", "3.13"])
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", "-q", *session.posargs)
