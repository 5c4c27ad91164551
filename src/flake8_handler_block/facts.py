"""Module facts the engine computes for the rules, and how a rule asks for them.

A rule lists the providers it needs in ``needs`` (like LibCST's
``METADATA_DEPENDENCIES``). The engine builds each provider once per module; a
provider that must see the tree gives a collector, which runs inside the engine's
single walk; after the walk the rules receive a :class:`Facts` and ask
``facts[Provider]``, which builds that provider's result once, on first use.
Nothing lives in module globals: facts die with the module's analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Dict, Generic, Optional, Type, TypeVar

import libcst as cst

from .config import Config
from .scopes import Batchable, ModuleScope, WalkState

if TYPE_CHECKING:  # pragma: no cover
    from .reach import Reach

T = TypeVar("T")


class Provider(Generic[T]):
    """One kind of module fact; subclasses set ``collector`` or override ``build``."""

    collector: ClassVar[Optional[Type[Batchable]]] = None  # built with (state, config), run in the walk

    def __init__(self, state: WalkState, config: Config) -> None:
        self.collected: Optional[Batchable] = (
            self.collector(state, config) if self.collector is not None else None  # type: ignore[call-arg]
        )

    def build(self, facts: "Facts") -> T:
        raise NotImplementedError


class Facts:
    """What every rule may read after the walk: settings, scopes, reach and provided facts."""

    def __init__(
        self, config: Config, module: ModuleScope, tree: cst.Module, reach: "Reach", providers: Dict[type, Provider]
    ) -> None:
        self.config = config
        self.module = module
        self.tree = tree
        self.reach = reach
        self._providers = providers
        self._built: Dict[type, Any] = {}

    def __getitem__(self, provider: Type[Provider[T]]) -> T:
        if provider not in self._built:
            self._built[provider] = self._providers[provider].build(self)
        return self._built[provider]
