"""`/dashboard/library`: every finished job of the user, searched, filtered, sorted, paged on demand.

The search lives in the URL (`?q=dwarf&type=npc&fav=1&sort=title`): a bookmark or a reload opens the
same search. Only the pages asked for are in the state (24 cards at a time, "Load more" for the next:
the cursor stays on the server), never the whole history. Every read and change goes through the
job service, as the user (its ownership checks apply).
"""

from __future__ import annotations

import json

import reflex as rx

from genapp.components.library_card import library_card
from genapp.components.layout import page_header
from genapp.components.watch import on_change
from genapp.jobs.archive import MAX_ARCHIVE_BYTES, ArchiveError
from genapp.jobs.errors import JobNotFound
from genapp.jobs.library import InvalidCursor, MAX_PAGE_SIZE
from genapp.jobs.runtime import get_service
from genapp.jobs.tags import TagError, parse_tags
from genapp.models import utcnow
from genapp.state.library_view import PAGE_SIZE, SORTS, STATUSES, TYPES, LibraryCard, Search, card_of, is_day
from genapp.state.session import UserSession
from genapp.state.user_jobs import UserJobs

ROUTE = "/dashboard/library"
ANY = "any"  # a select's "no filter" (Radix selects cannot hold "")


class LibraryState(rx.State):
    search: Search = Search()
    cards: list[LibraryCard] = []
    starred: list[str] = []  # ids of the loaded cards that are favourites
    tags: dict[str, list[str]] = {}  # job id -> its tags (loaded cards)
    total: int = 0
    has_more: bool = False
    loaded: bool = False
    selected: list[str] = []
    editing: str = ""  # the job whose tags are being edited
    tag_draft: str = ""
    _cursor: str | None = None  # backend only: the next page's cursor

    async def _owner(self) -> str:
        return await (await self.get_state(UserSession))._owner()

    async def _fetch(self, *, more: bool = False, limit: int = PAGE_SIZE) -> None:
        cursor = self._cursor if more else None
        try:
            page = await get_service().library(owner=await self._owner(), query=self.search.query(cursor=cursor, limit=limit))
        except InvalidCursor:  # the sort changed under a stale cursor: start over
            page = await get_service().library(owner=await self._owner(), query=self.search.query(limit=limit))
            more = False
        cards = [card_of(job) for job in page.items]
        starred = [job.id for job in page.items if job.favourite]
        tags = {job.id: list(job.tags) for job in page.items}
        if more:
            self.cards, self.starred, self.tags = self.cards + cards, self.starred + starred, {**self.tags, **tags}
        else:
            self.cards, self.starred, self.tags = cards, starred, tags
            loaded = {card.id for card in cards}
            self.selected = [i for i in self.selected if i in loaded]
        self._cursor, self.has_more, self.total, self.loaded = page.next_cursor, page.next_cursor is not None, page.total, True

    async def _apply(self):
        """A new search: the first page, and the URL that says it (replaced, not a new history entry)."""
        self.selected, self.editing = [], ""
        await self._fetch()
        params = self.search.to_params()
        url = ROUTE + (f"?{params}" if params else "")
        return rx.call_script(f"window.history.replaceState(window.history.state, '', {json.dumps(url)})")

    @rx.event
    async def load(self):
        """On open and reload: the search from the URL."""
        self.search = Search.from_params(self.router.url.query_parameters)
        self.selected, self.editing = [], ""
        await self._fetch()

    @rx.event
    async def refresh(self):
        """A job finished or went away (here or in another tab): reload what is shown, as far as it was loaded."""
        if self.loaded:
            await self._fetch(limit=min(MAX_PAGE_SIZE, max(PAGE_SIZE, len(self.cards))))

    @rx.event
    async def load_more(self):
        if self._cursor:
            await self._fetch(more=True)

    @rx.event
    async def run_search(self, form: dict):
        self.search = self.search.model_copy(update={"q": str(form.get("q", ""))[:200]})
        return await self._apply()

    @rx.event
    def set_text(self, value: str):
        self.search = self.search.model_copy(update={"q": value[:200]})

    @rx.event
    async def set_filter(self, name: str, value: str):
        """One select or date box changed: type, status, sort, date_from, date_to."""
        value = "" if value == ANY else value
        allowed = {"type": TYPES, "status": STATUSES, "sort": SORTS}
        if name not in ("type", "status", "sort", "date_from", "date_to") or (name in allowed and value and value not in allowed[name]):
            return
        if name in ("date_from", "date_to") and value and not is_day(value):
            return
        self.search = self.search.model_copy(update={name: value})
        return await self._apply()

    @rx.event
    async def set_favourites(self, value: bool):
        self.search = self.search.model_copy(update={"fav": bool(value)})
        return await self._apply()

    @rx.event
    async def clear_search(self):
        self.search = Search()
        return await self._apply()

    # ----- marks ---------------------------------------------------------------------

    @rx.event
    async def toggle_star(self, job_id: str):
        favourite = job_id not in self.starred
        try:
            await get_service().set_favourite(owner=await self._owner(), job_id=job_id, favourite=favourite)
        except JobNotFound:
            return rx.toast.error("That job does not exist or is not yours.")
        self.starred = [*self.starred, job_id] if favourite else [i for i in self.starred if i != job_id]
        if self.search.fav and not favourite:
            await self.refresh()

    @rx.event
    def edit_tags(self, job_id: str):
        self.editing, self.tag_draft = job_id, ", ".join(self.tags.get(job_id, []))

    @rx.event
    def set_tag_draft(self, value: str):
        self.tag_draft = value[:1000]

    @rx.event
    def cancel_tags(self):
        self.editing = ""

    @rx.event
    async def save_tags(self, _form: dict | None = None):
        job_id = self.editing
        try:
            job = await get_service().set_tags(owner=await self._owner(), job_id=job_id, tags=parse_tags(self.tag_draft))
        except TagError as exc:
            return rx.toast.warning(str(exc))
        except JobNotFound:
            return rx.toast.error("That job does not exist or is not yours.")
        self.tags = {**self.tags, job_id: list(job.tags)}
        self.editing = ""

    # ----- selection -----------------------------------------------------------------

    @rx.event
    def toggle_select(self, job_id: str):
        self.selected = [i for i in self.selected if i != job_id] if job_id in self.selected else [*self.selected, job_id]

    @rx.event
    def select_loaded(self):
        self.selected = [card.id for card in self.cards]

    @rx.event
    def clear_selection(self):
        self.selected = []

    @rx.event
    async def delete_selected(self):
        ids = list(self.selected)
        removed = await get_service().remove_many(owner=await self._owner(), job_ids=ids)
        self.selected = []
        await self.refresh()
        return rx.toast.info(f"{removed} job{'s' if removed != 1 else ''} deleted.", duration=2500)

    @rx.event
    async def export_selected(self):
        """The selected jobs as a library archive (zip) download (the service keeps only the owner's)."""
        return await self._export(self.selected)

    @rx.event
    async def export_all(self):
        return await self._export(None)

    async def _export(self, ids: list[str] | None):
        data = await get_service().export(owner=await self._owner(), job_ids=ids)
        return rx.download(data=data, filename=f"genapp-library-{utcnow():%Y-%m-%d}.zip", mime_type="application/zip")

    @rx.event
    async def import_files(self, files: list[rx.UploadFile]):
        """Archives exported by genapp, into this user's library; a bad file says why and changes nothing."""
        owner, said = await self._owner(), []
        for upload in files[:5]:
            data = await upload.read(MAX_ARCHIVE_BYTES + 1)
            try:
                report = await get_service().import_archive(owner=owner, data=data)
            except ArchiveError as refusal:
                return rx.toast.error(f"{upload.filename or 'The file'}: {refusal}", duration=10000, close_button=True)
            said.append(f"{report.created} imported" + (f", {report.skipped} already here" if report.skipped else ""))
        await self._fetch()
        return rx.toast.success("; ".join(said) or "No file chosen.", duration=5000)


# ----- the page --------------------------------------------------------------------------


def _select(name: str, label: str, options: list[str], value: rx.Var[str], testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.select(
            [ANY, *options],
            value=rx.cond(value == "", ANY, value),
            on_change=lambda v: LibraryState.set_filter(name, v),
            size="2",
            custom_attrs={"data-testid": testid},
        ),
        spacing="1",
    )


def _date(name: str, label: str, value: rx.Var[str], testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color_scheme="gray"),
        rx.input(type="date", value=value, on_change=lambda v: LibraryState.set_filter(name, v), size="2", custom_attrs={"data-testid": testid}),
        spacing="1",
    )


def _search_bar() -> rx.Component:
    search = LibraryState.search
    return rx.vstack(
        rx.form(
            rx.hstack(
                rx.input(
                    rx.input.slot(rx.icon("search", size=16)),
                    name="q",
                    value=search.q,
                    on_change=LibraryState.set_text,
                    placeholder="Search titles, prompts and contents",
                    size="3",
                    flex="1",
                    custom_attrs={"data-testid": "library-search"},
                ),
                rx.button("Search", type="submit", size="3", custom_attrs={"data-testid": "library-search-go"}),
                width="100%",
            ),
            on_submit=LibraryState.run_search,
            reset_on_submit=False,
            width="100%",
        ),
        rx.hstack(
            _select("type", "Type", TYPES, search.type, "library-type"),
            _select("status", "Status", STATUSES, search.status, "library-status"),
            _date("date_from", "From", search.date_from, "library-from"),
            _date("date_to", "To", search.date_to, "library-to"),
            _select("sort", "Sort", SORTS, search.sort, "library-sort"),
            rx.vstack(
                rx.text("Favourites", size="1", color_scheme="gray"),
                rx.hstack(
                    rx.switch(checked=search.fav, on_change=LibraryState.set_favourites, custom_attrs={"data-testid": "library-fav"}),
                    rx.text("only", size="2"),
                    align="center",
                    height="32px",
                ),
                spacing="1",
            ),
            rx.button("Clear", variant="ghost", size="2", on_click=LibraryState.clear_search, align_self="end", custom_attrs={"data-testid": "library-clear"}),
            wrap="wrap",
            spacing="3",
            align="end",
        ),
        width="100%",
        spacing="3",
    )


IMPORT_ID = "library-import"


def _toolbar() -> rx.Component:
    count = LibraryState.selected.length()
    return rx.hstack(
        rx.text(
            rx.cond(LibraryState.loaded, f"{LibraryState.total} result" + rx.cond(LibraryState.total == 1, "", "s").to(str), "Loading..."),
            size="2",
            color_scheme="gray",
            custom_attrs={"data-testid": "library-total"},
        ),
        rx.spacer(),
        rx.cond(
            count > 0,
            rx.hstack(
                rx.text(count.to_string() + " selected", size="2", custom_attrs={"data-testid": "library-selected-count"}),
                rx.button("Clear selection", variant="ghost", size="1", on_click=LibraryState.clear_selection),
                rx.button(
                    rx.icon("download", size=14), "Export", size="1", variant="soft", on_click=LibraryState.export_selected,
                    custom_attrs={"title": "Download the selected jobs as a zip", "data-testid": "library-export"},
                ),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button(rx.icon("trash-2", size=14), "Delete", size="1", color_scheme="red", custom_attrs={"data-testid": "library-delete"})
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Delete " + count.to_string() + " jobs?"),
                        rx.alert_dialog.description("They and their illustrations are removed for good."),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Keep them", variant="soft", color_scheme="gray")),
                            rx.alert_dialog.action(
                                rx.button("Delete", color_scheme="red", on_click=LibraryState.delete_selected, custom_attrs={"data-testid": "library-delete-confirm"})
                            ),
                            justify="end",
                            spacing="3",
                            margin_top="16px",
                        ),
                    ),
                ),
                spacing="3",
                align="center",
            ),
            rx.hstack(
                rx.button("Select all shown", variant="ghost", size="1", on_click=LibraryState.select_loaded, custom_attrs={"data-testid": "library-select-all"}),
                rx.button(rx.icon("download", size=14), "Export all", variant="ghost", size="1", on_click=LibraryState.export_all,
                          custom_attrs={"data-testid": "library-export-all"}),
                rx.upload.root(
                    rx.button(rx.icon("upload", size=14), "Import", variant="ghost", size="1", custom_attrs={"data-testid": "library-import"}),
                    id=IMPORT_ID,
                    accept={"application/zip": [".zip"]},
                    max_files=5,
                    no_drag=True,
                    on_drop=LibraryState.import_files(rx.upload_files(upload_id=IMPORT_ID)),
                ),
                spacing="2",
                align="center",
            ),
        ),
        width="100%",
        align="center",
    )


def library_page() -> rx.Component:
    return rx.vstack(
        on_change(UserJobs.revision, LibraryState.refresh),
        page_header("Library", "Every finished generation: search it, star it, tag it."),
        _search_bar(),
        _toolbar(),
        rx.cond(
            LibraryState.loaded & (LibraryState.cards.length() == 0),
            rx.text("Nothing matches. Clear the search, or generate something first.", color_scheme="gray", custom_attrs={"data-testid": "library-empty"}),
        ),
        rx.grid(
            rx.foreach(
                LibraryState.cards,
                lambda card: library_card(
                    card,
                    starred=LibraryState.starred.contains(card.id),
                    tags=LibraryState.tags[card.id],
                    selected=LibraryState.selected.contains(card.id),
                    editing=LibraryState.editing == card.id,
                    state=LibraryState,
                ),
            ),
            # As many columns of at least 300px as the content column holds (2 at 1280 px beside the rail).
            grid_template_columns="repeat(auto-fill, minmax(300px, 1fr))",
            gap="16px",
            width="100%",
            custom_attrs={"data-testid": "library-grid"},
        ),
        rx.cond(
            LibraryState.has_more,
            rx.button("Load more", variant="soft", on_click=LibraryState.load_more, align_self="center", custom_attrs={"data-testid": "library-more"}),
        ),
        spacing="4",
        width="100%",
    )
