"""`/signin`, `/signup` and `/account`: plain HTML forms posted to the backend's /auth routes.

A form posts as a top-level navigation so the backend's answer can set the HttpOnly session cookie
(no page script ever holds the session). The answer redirects back here with `?error=<code>` or
`?ok=<code>`; the words shown come from fixed tables, never from the URL.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.base import BaseHTML

from pydantic import BaseModel

from genapp.auth.runtime import get_auth
from genapp.auth.service import MESSAGES, PASSWORD_MIN, AuthError
from genapp.components.layout import page_header
from genapp.state.session import UserSession

DONE = {
    "welcome": "Your account is ready. The jobs you made as a guest are in it.",
    "password": "Password changed. Every other browser signed in to this account was signed out.",
    "signed-out": "Signed out. This browser goes on as a new guest.",
    "signed-out-everywhere": "Signed out on every browser. This one goes on as a new guest.",
}


class PlainForm(BaseHTML):
    """A native <form> (rx.el.form always prevents the browser's own submit)."""

    tag = "form"
    action: rx.Var[str]
    method: rx.Var[str]


class AuthPage(rx.State):
    backend: str = ""  # where the forms post: the backend as this tab's websocket reached it
    error: str = ""
    done: str = ""

    @rx.event
    def load(self):
        headers = self.router.headers
        self.backend = f"{'https' if headers.origin.startswith('https:') else 'http'}://{headers.host}"
        query = self.router.url.query_parameters
        wait = query.get("wait", "0")
        self.error = MESSAGES.get(query.get("error", ""), "").format(wait=int(wait) if wait.isdigit() else 0)
        self.done = DONE.get(query.get("ok", ""), "")


class TokenView(BaseModel):
    id: str
    name: str
    prefix: str
    created: str
    last_used: str


class TokenPanel(rx.State):
    """The account's personal API tokens: made here, shown once, revoked here."""

    tokens: list[TokenView] = []
    new_token: str = ""  # the value of the token just made: shown once, gone on the next load
    error: str = ""

    async def _identity(self):
        return await (await self.get_state(UserSession))._identity()

    async def _reload(self) -> None:
        identity = await self._identity()
        rows = await get_auth().tokens(identity) if identity else []
        self.tokens = [
            TokenView(id=r.id, name=r.name, prefix=r.prefix, created=f"{r.created_at:%Y-%m-%d}", last_used=f"{r.last_used_at:%Y-%m-%d %H:%M}" if r.last_used_at else "never")
            for r in rows
        ]

    @rx.event
    async def load(self):
        self.new_token, self.error = "", ""
        await self._reload()

    @rx.event
    async def create(self, form: dict):
        identity = await self._identity()
        self.new_token, self.error = "", ""
        if identity is None:
            self.error = MESSAGES["no-session"]
            return
        try:
            self.new_token, _ = await get_auth().create_token(identity, str(form.get("name", "")))
        except AuthError as refusal:
            self.error = str(refusal)
        await self._reload()

    @rx.event
    async def revoke(self, token_id: str):
        identity = await self._identity()
        if identity is not None:
            await get_auth().revoke_token(identity, token_id)
        await self._reload()


def _form(route: str, testid: str, *children: rx.Component) -> rx.Component:
    return PlainForm.create(
        rx.vstack(*children, spacing="3", width="100%"),
        action=AuthPage.backend + route,
        method="post",
        custom_attrs={"data-testid": testid},
        width="100%",
    )


def _field(label: str, name: str, kind: str, autocomplete: str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=testid),
        rx.input(id=testid, name=name, type=kind, auto_complete=autocomplete, required=True, width="100%", custom_attrs={"data-testid": testid}),
        spacing="1",
        width="100%",
    )


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(AuthPage.error != "", rx.callout(AuthPage.error, icon="triangle-alert", color_scheme="red", custom_attrs={"data-testid": "auth-error"})),
        rx.cond(AuthPage.done != "", rx.callout(AuthPage.done, icon="check", color_scheme="green", custom_attrs={"data-testid": "auth-done"})),
    )


def _card(*children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(*children, spacing="4", width="100%"), max_width="440px", width="100%", size="3")


def _submit(label: str, testid: str, **props) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", white_space="nowrap", custom_attrs={"data-testid": testid}, **props)


def sign_in_page() -> rx.Component:
    return rx.box(
        page_header("Sign in", "See your jobs on every browser you sign in on."),
        _card(
            _messages(),
            _form(
                "/auth/signin",
                "signin-form",
                _field("Email", "email", "email", "username", "signin-email"),
                _field("Password", "password", "password", "current-password", "signin-password"),
                _submit("Sign in", "signin-submit"),
            ),
            rx.text("No account yet? ", rx.link("Sign up", href="/signup", custom_attrs={"data-testid": "to-signup"}), size="2"),
            rx.text("The jobs you made as a guest in this browser move into the account.", size="1", color_scheme="gray"),
        ),
    )


def sign_up_page() -> rx.Component:
    return rx.box(
        page_header("Create an account", "Free. Your guest jobs come with you."),
        _card(
            _messages(),
            rx.cond(
                UserSession.signed_in,
                rx.text("You are signed in as ", rx.text.strong(UserSession.email), ". Sign out first to create another account.", size="2"),
                _form(
                    "/auth/signup",
                    "signup-form",
                    _field("Email", "email", "email", "username", "signup-email"),
                    _field(f"Password (at least {PASSWORD_MIN} characters)", "password", "password", "new-password", "signup-password"),
                    _field("Password again", "confirm", "password", "new-password", "signup-confirm"),
                    _submit("Create account", "signup-submit"),
                ),
            ),
            rx.text("Have an account? ", rx.link("Sign in", href="/signin", custom_attrs={"data-testid": "to-signin"}), size="2"),
        ),
    )


def _signed_in_account() -> rx.Component:
    return rx.vstack(
        _card(
            rx.hstack(rx.icon("circle-user-round", size=28), rx.vstack(
                rx.text("Signed in as", size="1", color_scheme="gray"),
                rx.text(UserSession.email, weight="bold", custom_attrs={"data-testid": "account-email"}),
                spacing="0",
            ), align="center", spacing="3"),
            rx.hstack(
                _form("/auth/signout", "signout-form", _submit("Sign out", "signout", variant="soft")),
                _form("/auth/signout-everywhere", "signout-all-form", _submit("Sign out everywhere", "signout-everywhere", variant="soft", color_scheme="red")),
                width="100%",
                spacing="3",
            ),
        ),
        _card(
            rx.heading("Change password", size="4"),
            _form(
                "/auth/password",
                "password-form",
                _field("Current password", "current", "password", "current-password", "password-current"),
                _field(f"New password (at least {PASSWORD_MIN} characters)", "password", "password", "new-password", "password-new"),
                _field("New password again", "confirm", "password", "new-password", "password-confirm"),
                _submit("Change password", "password-submit"),
            ),
            rx.text("Every other browser signed in to this account is signed out.", size="1", color_scheme="gray"),
        ),
        _tokens_card(),
        spacing="4",
        width="100%",
    )


def _token_row(token: rx.Var[TokenView]) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(token.name, weight="medium", size="2"),
            rx.text(token.prefix, "… · made ", token.created, " · last used ", token.last_used, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.spacer(),
        rx.button("Revoke", size="1", variant="soft", color_scheme="red", on_click=TokenPanel.revoke(token.id), custom_attrs={"data-testid": "token-revoke"}),
        width="100%",
        align="center",
        key=token.id,
        custom_attrs={"data-testid": "token-row"},
    )


def _tokens_card() -> rx.Component:
    return _card(
        rx.heading("API tokens", size="4"),
        rx.text("For scripts that call the ", rx.link("HTTP API", href=AuthPage.backend + "/api/docs", is_external=True, custom_attrs={"data-testid": "api-docs"}), ": send one as ",
                rx.code("Authorization: Bearer …"), ".", size="2"),
        rx.cond(TokenPanel.error != "", rx.callout(TokenPanel.error, icon="triangle-alert", color_scheme="red")),
        rx.cond(
            TokenPanel.new_token != "",
            rx.callout(
                rx.vstack(
                    rx.text("Copy it now: it is shown this once.", size="2"),
                    rx.code(TokenPanel.new_token, custom_attrs={"data-testid": "token-value"}, style={"word_break": "break-all"}),
                    spacing="1",
                ),
                icon="key-round",
                color_scheme="green",
            ),
        ),
        rx.form(
            rx.hstack(
                rx.input(name="name", placeholder="Token name, e.g. my prep script", max_length=60, required=True, flex="1",
                         custom_attrs={"data-testid": "token-name"}),
                rx.button("Create token", type="submit", custom_attrs={"data-testid": "token-create"}),
                width="100%",
            ),
            on_submit=TokenPanel.create,
            reset_on_submit=True,
            width="100%",
        ),
        rx.vstack(rx.foreach(TokenPanel.tokens, _token_row), spacing="2", width="100%"),
    )


def _guest_account() -> rx.Component:
    return _card(
        rx.text("You are a guest: your jobs belong to this browser only.", size="2", custom_attrs={"data-testid": "account-guest"}),
        rx.hstack(
            rx.link(rx.button("Sign in", size="3"), href="/signin"),
            rx.link(rx.button("Create an account", size="3", variant="soft"), href="/signup"),
            spacing="3",
        ),
    )


def account_page() -> rx.Component:
    return rx.box(
        page_header("Account"),
        rx.vstack(_messages(), rx.cond(UserSession.signed_in, _signed_in_account(), _guest_account()), spacing="4", max_width="440px"),
    )
