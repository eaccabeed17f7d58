"""A tab's link to its user: the session, the shared job store, and the job actions."""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx

from genapp.auth.cookie import session_token_in_header
from genapp.auth.runtime import get_auth
from genapp.auth.store import Identity
from genapp.auth.service import MESSAGES
from genapp.jobs.errors import JobNotFound, JobStateError, LimitReached
from genapp.config import settings
from genapp.jobs.runtime import get_service
from genapp.models import EVERYONE
from genapp.state.user_jobs import UserJobs, remember_owner, shared_token

def refused(exc: LimitReached, before: str = ""):
    """A fair-use refusal, said where the user looks: which limit, and when to try again."""
    return rx.toast.warning(before + str(exc), duration=8000, close_button=True)


def last_path_segment(state: rx.State) -> str:
    """The dynamic part of the current route: a content type or a job id."""
    return state.router.url.path.rstrip("/").rsplit("/", 1)[-1]


class UserSession(rx.State):
    """Who this tab's browser is, from the session cookie its websocket sent (HttpOnly: no page script
    can read or write it). All tabs of one browser, and every browser signed in to one account, share
    the user's job store."""

    signed_in: bool = False
    email: str = ""  # the account's, shown to its own tabs; empty for a guest
    linked: bool = False  # this tab shows its user's jobs (tests wait for it)
    admin: bool = False  # may pause the whole service (GENAPP_ADMINS); every admin action checks again
    _browser: str = ""  # the browser this tab's state belongs to (see genapp/state/guard.py)

    async def _identity(self) -> Identity | None:
        return await get_auth().resolve(session_token_in_header(self.router.headers.cookie))

    async def _admin(self) -> str:
        """The admin's user id, or '' when this tab's user is not (or no longer) an admin."""
        identity = await self._identity()
        return identity.user_id if identity and identity.signed_in and settings.is_admin(identity.email) else ""

    async def _owner(self) -> str:
        """The user id, or '' when the session ended (signed out elsewhere, expired): nothing is theirs."""
        identity = await self._identity()
        return identity.user_id if identity else ""

    def _start_url(self) -> str:
        """The backend route that gives this browser a session, then sends it back to this page. The
        backend's address is the one this tab's websocket reached (the UI may be opened by any name)."""
        headers = self.router.headers
        scheme = "https" if headers.origin.startswith("https:") else "http"
        return f"{scheme}://{headers.host}/auth/start?" + urlencode({"next": str(self.router.url)})

    @rx.event
    async def connect(self):
        """Link this tab to the user's shared job store and load it fresh; a browser without a live
        session gets one first (a guest: a round trip to the backend, once)."""
        identity = await self._identity()
        if identity is None:
            return rx.redirect(self._start_url(), replace=True)
        self.signed_in, self.email = identity.signed_in, identity.email
        self.admin = identity.signed_in and settings.is_admin(identity.email)
        jobs = await self.get_state(UserJobs)
        linked = await jobs._link_to(shared_token(identity.user_id))
        remember_owner(identity.user_id)
        await linked._refresh_all(identity.user_id)
        linked.notify = await get_auth().notifications(identity.user_id)
        self.linked = True


class JobActions(rx.State):
    """Cancel, retry, remove and move jobs, and pause the queue; refused (with a message) for jobs that
    are not the user's."""

    dragging: str = ""  # the waiting job this tab is dragging in the tile

    async def _act(self, action, job_id: str, done: str):
        owner = await (await self.get_state(UserSession))._owner()
        if not owner:
            return rx.toast.error(MESSAGES["no-session"])
        try:
            await action(owner=owner, job_id=job_id)
        except JobNotFound:
            return rx.toast.error("That job does not exist or is not yours.")
        except JobStateError as exc:
            return rx.toast.warning(str(exc))
        except LimitReached as exc:
            return refused(exc)
        return rx.toast.info(done, duration=2500) if done else None

    @rx.event
    async def cancel(self, job_id: str):
        return await self._act(get_service().cancel, job_id, "Job cancelled.")

    @rx.event
    async def retry(self, job_id: str):
        return await self._act(get_service().retry, job_id, "Job queued again.")

    @rx.event
    async def remove(self, job_id: str):
        return await self._act(get_service().remove, job_id, "Job removed.")

    @rx.event
    async def move(self, job_id: str, to: str):
        """Front, up, down or back in the user's own line (a waiting job)."""
        return await self._act(lambda owner, job_id: get_service().move(owner=owner, job_id=job_id, to=str(to)), job_id, "")

    @rx.event
    def drag(self, job_id: str):
        self.dragging = str(job_id)[:64]

    @rx.event
    async def drop_before(self, job_id: str):
        """The dragged waiting job goes just ahead of this one."""
        dragged, self.dragging = self.dragging, ""
        owner = await (await self.get_state(UserSession))._owner()
        if not dragged or dragged == job_id or not owner:
            return None
        try:
            await get_service().move(owner=owner, job_id=dragged, to="before", before=job_id)
        except (JobNotFound, JobStateError):
            return None  # dropped on a row that is not waiting, or the job started meanwhile: nothing moves
        return None

    @rx.event
    async def pause(self, stop_running: bool = False):
        """Pause the user's queue: waiting jobs wait; running ones finish, or stop after their current phase."""
        owner = await (await self.get_state(UserSession))._owner()
        if not owner:
            return rx.toast.error(MESSAGES["no-session"])
        await get_service().pause(owner=owner, stop_running=stop_running is True)
        return None

    @rx.event
    async def resume(self):
        owner = await (await self.get_state(UserSession))._owner()
        if not owner:
            return rx.toast.error(MESSAGES["no-session"])
        await get_service().resume(owner=owner)
        return None

    @rx.event
    async def pause_service(self, stop_running: bool = False):
        """An admin pauses every user's queue."""
        admin = await (await self.get_state(UserSession))._admin()
        if not admin:
            return rx.toast.error("Only an administrator can pause the whole service.")
        await get_service().pause(owner=EVERYONE, stop_running=stop_running is True, by=admin)
        return rx.toast.info("genapp is paused for everyone.", duration=3000)

    @rx.event
    async def resume_service(self):
        admin = await (await self.get_state(UserSession))._admin()
        if not admin:
            return rx.toast.error("Only an administrator can resume the whole service.")
        await get_service().resume(owner=EVERYONE)
        return rx.toast.info("genapp runs again for everyone.", duration=3000)

    @rx.event
    async def clear_finished(self):
        owner = await (await self.get_state(UserSession))._owner()
        if not owner:
            return rx.toast.error(MESSAGES["no-session"])
        removed = await get_service().clear_finished(owner=owner)
        return rx.toast.info(f"Removed {removed} finished job{'s' * (removed != 1)}; starred ones are kept.", duration=3000)
