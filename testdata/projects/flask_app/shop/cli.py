import click

from .jobs import nightly_sync


@click.command()
def sync():
    nightly_sync()
