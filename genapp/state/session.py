"""A tab's link to its user: the user id cookie, the shared job store, and the job actions."""

from __future__ import annotations

import secrets
import time

import reflex as rx

from genapp.auth.cookie import USER_COOKIE, uid_in_cookie_header, valid_uid
from genapp.config import settings
from genapp.jobs.errors import JobNotFound, JobStateError, LimitReached
from genapp.jobs.runtime import get_service
from genapp.state.user_jobs import UserJobs, remember_owner, shared_token

def refused(exc: LimitReached, before: str = ""):
    """A fair-use refusal, said where the user looks: which limit, and when to try again."""
    return rx.toast.warning(before + str(exc), duration=8000, close_button=True)


def last_path_segment(state: rx.State) -> str:
    """The dynamic part of the current route: a content type or a job id."""
    return state.router.url.path.rstrip("/").rsplit("/", 1)[-1]


class UserSession(rx.State):
    """All tabs of one browser share the cookie, hence the user and their jobs."""

    uid: str = rx.Cookie("", name=USER_COOKIE, max_age=settings.user_cookie_days * 86400, same_site="lax")
    toast_seen: int = 0  # the last job notice this tab has shown

    async def _owner(self) -> str:
        """The user id, minting one on a browser's first visit. A tab whose state was lost (Reflex's
        states in a Redis that restarted empty) still sent the browser's cookie with its websocket:
        that user is kept, not replaced by a new one."""
        if not valid_uid(self.uid):
            self.uid = uid_in_cookie_header(self.router.headers.cookie) or secrets.token_hex(16)
        return self.uid

    @rx.event
    async def connect(self):
        """Link this tab to the user's shared job store and load it fresh."""
        owner = await self._owner()
        jobs = await self.get_state(UserJobs)
        linked = await jobs._link_to(shared_token(owner))
        remember_owner(owner)
        await linked._refresh_all(owner)

    @rx.event
    async def show_notice(self):
        """Toast the newest job notice once per tab, and only while it is news."""
        jobs = await self.get_state(UserJobs)
        if jobs.notice_id <= self.toast_seen:
            return
        self.toast_seen = jobs.notice_id
        if time.time() - jobs.notice_at > 10:
            return
        show = rx.toast.success if jobs.notice_kind == "success" else rx.toast.error
        return show(jobs.notice_text, duration=6000, close_button=True)


class JobActions(rx.State):
    """Cancel, retry and remove, refused (with a message) for jobs that are not the user's."""

    async def _act(self, action, job_id: str, done: str):
        owner = await (await self.get_state(UserSession))._owner()
        try:
            await action(owner=owner, job_id=job_id)
        except JobNotFound:
            return rx.toast.error("That job does not exist or is not yours.")
        except JobStateError as exc:
            return rx.toast.warning(str(exc))
        except LimitReached as exc:
            return refused(exc)
        return rx.toast.info(done, duration=2500)

    @rx.event
    async def cancel(self, job_id: str):
        return await self._act(get_service().cancel, job_id, "Job cancelled.")

    @rx.event
    async def retry(self, job_id: str):
        return await self._act(get_service().retry, job_id, "Job queued again.")

    @rx.event
    async def remove(self, job_id: str):
        return await self._act(get_service().remove, job_id, "Job removed.")
