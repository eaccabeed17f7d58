"""Actions on a whole batch (cancel all, retry the failed ones, export), from the tile or the batch page.
Refused with the same message for a batch that is not the user's as for one that does not exist."""

from __future__ import annotations

import reflex as rx

from genapp.auth.service import MESSAGES
from genapp.jobs.batches import BatchNotFound
from genapp.jobs.errors import JobStateError, LimitReached
from genapp.jobs.runtime import get_service
from genapp.models import utcnow
from genapp.state.session import UserSession, refused

NOT_YOURS = "That batch does not exist or is not yours."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


class BatchActions(rx.State):
    async def _owner(self) -> str:
        return await (await self.get_state(UserSession))._owner()

    async def _act(self, action, batch_id: str, done):
        owner = await self._owner()
        if not owner:
            return rx.toast.error(MESSAGES["no-session"])
        try:
            count = await action(owner=owner, batch_id=str(batch_id))
        except BatchNotFound:
            return rx.toast.error(NOT_YOURS)
        except JobStateError as exc:
            return rx.toast.warning(str(exc))
        except LimitReached as exc:
            return refused(exc)
        return rx.toast.info(done(count), duration=2500)

    @rx.event
    async def cancel(self, batch_id: str):
        return await self._act(get_service().cancel_batch, batch_id, lambda n: f"Cancelled {_plural(n, 'job')} of the batch.")

    @rx.event
    async def retry_failed(self, batch_id: str):
        return await self._act(get_service().retry_failed, batch_id, lambda n: f"Queued {_plural(n, 'job')} of the batch again.")

    @rx.event
    async def export(self, batch_id: str):
        owner = await self._owner()
        try:
            data = await get_service().export_batch(owner=owner, batch_id=str(batch_id))
        except BatchNotFound:
            return rx.toast.error(NOT_YOURS)
        return rx.download(data=data, filename=f"genapp-batch-{utcnow():%Y-%m-%d}.zip", mime_type="application/zip")
