"""Billing service."""
from .adapters import TimeoutAdapter

__all__ = ["TimeoutAdapter"]
