"""Vertskommune: host choice, settlement models and scenarios for host-municipality cooperation."""

__version__ = "0.1.0"

from optimizer.locate import LocateResult, locate

__all__ = ["LocateResult", "__version__", "locate"]
