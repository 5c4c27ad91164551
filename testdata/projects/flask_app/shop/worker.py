"""Run by the task queue: not tooling."""

from .jobs import refresh_prices


def on_price_tick(event):
    return refresh_prices()
