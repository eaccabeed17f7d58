"""Browser notifications: a job or a batch that finishes while the tab is hidden.

Two things must both be true for one to show: the user's own setting (`UserJobs.notify`, stored per
user by the account service, shared by all their tabs) and this browser's permission, which is asked
only from a click on the tile's bell, never on page load. Every tab toasts, as it always did
(`Notifications.show_notice`, below); every hidden one also raises the notification, all under one
tag, so the browser shows it once.
"""

from __future__ import annotations

import json
import time

import reflex as rx

from genapp.auth.runtime import get_auth
from genapp.state.session import UserSession
from genapp.state.user_jobs import UserJobs

PERMISSIONS = ("default", "granted", "denied", "unsupported")
READ_PERMISSION = "window.Notification ? Notification.permission : 'unsupported'"
ASK_PERMISSION = "window.Notification ? Notification.requestPermission() : Promise.resolve('unsupported')"


def notify_script(title: str, body: str, tag: str, link: str) -> str:
    """JavaScript that shows one notification if this tab is hidden and may show them. Every string in it
    comes from a user or a model: each goes in as a JSON string literal, and a notification shows text only."""
    args = ", ".join(json.dumps(value) for value in (title, body, tag, link))
    return (
        "((title, body, tag, link) => {"
        " const N = window.Notification;"
        " if (!N || N.permission !== 'granted' || document.visibilityState !== 'hidden') return 'skipped';"
        " const note = new N(title, {body, tag});"
        " note.onclick = () => { window.focus(); if (link) window.location.assign(link); note.close(); };"
        " return 'shown';"
        f" }})({args})"
    )


class Notifications(rx.State):
    """This tab's view of the browser's permission, and the user's switch."""

    permission: str = ""  # default | granted | denied | unsupported; "" until the tab has read it
    seen: int = 0  # the last notice of the user's this tab has shown

    @rx.event
    async def show_notice(self):
        """The user's newest notice, once per tab and only while it is news: a toast, and a browser
        notification if the tab is hidden (decided in the browser) and the user wants them."""
        jobs = await self.get_state(UserJobs)
        if jobs.notice_id <= self.seen:
            return None
        self.seen = jobs.notice_id
        if time.time() - jobs.notice_at > 10:
            return None
        show = rx.toast.success if jobs.notice_kind == "success" else rx.toast.error
        toast = show(jobs.notice_text, duration=6000, close_button=True)
        if not jobs.notify:
            return toast
        title = "genapp: done" if jobs.notice_kind == "success" else "genapp: failed"
        return [toast, rx.call_script(notify_script(title, jobs.notice_text, f"genapp-{jobs.notice_id}", jobs.notice_link))]

    @rx.event
    def read_permission(self):
        """On mount: what the browser allows already (reading it asks nothing)."""
        return rx.call_script(READ_PERMISSION, callback=Notifications.set_permission)

    @rx.event
    def set_permission(self, value: str):
        self.permission = value if value in PERMISSIONS else "unsupported"

    async def _set(self, on: bool) -> None:
        owner = await (await self.get_state(UserSession))._owner()
        if not owner:
            return
        await get_auth().set_notifications(owner, on)
        jobs = await self.get_state(UserJobs)
        jobs.notify = on  # shared: every tab of the user shows the switch as it is now

    @rx.event
    async def turn_on(self):
        await self._set(True)

    @rx.event
    async def turn_off(self):
        await self._set(False)


def ask_and_turn_on() -> list:
    """The click that turns notifications on: the browser's permission prompt comes from the click itself."""
    return [rx.call_script(ASK_PERMISSION, callback=Notifications.set_permission), Notifications.turn_on]
