import click

from .jobs import audit, nightly_sync, refresh_prices


@click.command()
def sync():
    nightly_sync()
    refresh_prices()
    audit()
