"""The data scope a signed-in user may see; national by default."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """The regions a user may see; an empty tuple means the whole country."""

    regions: tuple[str, ...] = ()

    @property
    def is_national(self) -> bool:
        return not self.regions


NATIONAL = Scope()
