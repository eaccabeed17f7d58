"""How long finished jobs are kept: older than N days or beyond each user's newest N go (starred ones
never). Run in the background by whichever process sweeps (the embedded backend, or `genapp worker`)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retention:
    days: int = 0  # 0: no age limit
    keep_newest: int = 0  # 0: no count limit
    every_seconds: float = 3600.0

    @classmethod
    def from_settings(cls, config) -> Retention:
        return cls(days=config.retention_days, keep_newest=config.retention_keep_newest, every_seconds=config.retention_sweep_seconds)

    @property
    def active(self) -> bool:
        return bool(self.days or self.keep_newest)

    def describe(self) -> str:
        parts = [f"older than {self.days} days"] * bool(self.days) + [f"beyond each user's newest {self.keep_newest}"] * bool(self.keep_newest)
        return " or ".join(parts) + ", starred ones kept"


async def prune_forever(service, policy: Retention) -> None:
    """Prune now and then every `every_seconds`; a failed round is logged and tried again next time."""
    if not policy.active:
        return
    while True:
        try:
            await service.prune(policy)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("Retention round failed; trying again in %.0f s", policy.every_seconds)
        await asyncio.sleep(policy.every_seconds)
