"""Every event is checked against the browser its tab belongs to, before Reflex runs or answers it.

A tab's token is chosen by the client and a closed tab's token can be sent again by anyone: Reflex
would load that tab's state (and the job store it is linked to) for whoever presents it. So a tab's
state records the browser id of the session that first used it, and an event whose websocket brings
another browser's session, or none, gets nothing of that state: the answer only has the tab forget
its token and reload (a real tab then starts afresh; a replaying client learns nothing).
"""

from __future__ import annotations

import logging

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate
from reflex_base.event import Event

from genapp.auth.cookie import session_token_in_header
from genapp.auth.runtime import get_auth
from genapp.state.session import UserSession

log = logging.getLogger(__name__)
_START_AFRESH = [*Event.from_event_type(rx.clear_session_storage()), *Event.from_event_type(rx.call_script("window.location.reload()"))]


class TabGuard(Middleware):
    async def preprocess(self, app, state: BaseState, event: Event) -> StateUpdate | None:
        identity = await get_auth().resolve(session_token_in_header(state.router.headers.cookie))
        browser = identity.browser_id if identity else ""
        tab = await state.get_state(UserSession)
        if tab._browser and tab._browser != browser:
            log.warning("Refused %s: the tab belongs to another browser or its session ended", event.name.rsplit(".", 1)[-1][:40])
            return StateUpdate(delta={}, events=list(_START_AFRESH))
        if browser and not tab._browser:
            tab._browser = browser
        return None
