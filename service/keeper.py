"""The service's clock: opens voting when a voting phase begins, signs checkpoints at the
configured interval, closes voting and publishes the record when the phase ends, and clears
what has expired. Several processes may run it; each step is idempotent and locked."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from ballots import repository as board_store
from ballots.errors import VotingError
from proposals import repository as store
from proposals.errors import ProposalsError
from proposals.phases import Phase
from service import board
from service import repository as service_store
from service.config import Settings
from service.keys import DeploymentKeys
from service.workflows.closing import close_cycle
from service.workflows.voting import open_voting

log = logging.getLogger(__name__)


@dataclass
class Keeper:
    pool: asyncpg.Pool
    settings: Settings
    keys: DeploymentKeys

    async def run(self) -> None:
        """Run `run_once` every checkpoint interval until cancelled."""
        while True:
            try:
                await self.run_once()
            except (OSError, asyncpg.PostgresError):
                log.exception("the keeper's round failed; it tries again at the next interval")
            await asyncio.sleep(self.settings.checkpoint_interval_s)

    async def run_once(self, now: datetime | None = None) -> None:
        moment = now or datetime.now(UTC)
        for cycle in await store.fetch_cycles(self.pool):
            phase = cycle.phase_at(moment)
            state = await board_store.fetch_board(self.pool, cycle.id)
            try:
                if phase is Phase.VOTING and state is None and cycle.final_list_published_at:
                    await open_voting(self.pool, self.settings, self.keys, cycle.slug, moment)
                elif (
                    phase is Phase.RESULTS
                    and state is not None
                    and not (await board_store.fetch_record_file_names(self.pool, cycle.id))
                ):
                    await close_cycle(self.pool, self.settings, self.keys, cycle.slug, now=moment)
            except (VotingError, ProposalsError) as error:
                log.warning("cycle %s: %s", cycle.slug, error)
        await board.Checkpointer(
            self.pool, self.keys, self.settings.checkpoint_interval_s
        ).run_once()
        await board_store.delete_expired_cast_tokens(self.pool)
        await service_store.delete_expired_sessions(self.pool)
