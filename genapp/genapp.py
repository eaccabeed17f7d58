"""The Reflex app: routes and lifespan tasks, nothing else."""

import reflex as rx

from genapp.api import api
from genapp.api.events import event_log_lifespan
from genapp.auth.runtime import auth_lifespan
from genapp.components.layout import page_title, shell
from genapp.generators import GENERATORS
from genapp.config import settings
from genapp.jobs.runtime import job_service_lifespan
from genapp.jobs.trace import trace_lifespan
from genapp.pages.batch import BatchesState, BatchState, batch_page, batches_page
from genapp.pages.account import AuthPage, TokenPanel, account_page, sign_in_page, sign_up_page
from genapp.pages.dashboard import dashboard_page
from genapp.pages.generator import GeneratorState, generator_page
from genapp.pages.job_detail import JobDetailState, job_detail_page
from genapp.pages.library import LibraryState, library_page
from genapp.pages.settings import settings_page
from genapp.pages.test_generation import test_generation_page
from genapp.state.guard import TabGuard
from genapp.state.pusher import pusher_lifespan
from genapp.state.session import UserSession

app = rx.App(
    stylesheets=["/genapp.css"],
    toaster=rx.toast.provider(position="top-center", rich_colors=True, close_button=True),
    api_transformer=api,
)
app.add_middleware(TabGuard(), index=0)
app.register_lifespan_task(job_service_lifespan)  # migrates the database: first
app.register_lifespan_task(auth_lifespan)
app.register_lifespan_task(event_log_lifespan)  # after the job service: it follows its events
app.register_lifespan_task(pusher_lifespan(app))
if settings.progress_trace:
    app.register_lifespan_task(trace_lifespan(settings.progress_trace))


def _add(component, route: str, title: str, *on_load) -> None:
    app.add_page(shell(component), route=route, title=page_title(title), on_load=[UserSession.connect, *on_load])


app.add_page(rx.fragment(), route="/", title="genapp", on_load=rx.redirect("/dashboard"))
_add(dashboard_page(), "/dashboard", "Dashboard")
for content_type, generator in GENERATORS.items():
    _add(generator_page(generator), f"/dashboard/{content_type.value}", f"{generator.label} generator", GeneratorState.reload)
_add(library_page(), "/dashboard/library", "Library", LibraryState.load)
_add(job_detail_page(), "/dashboard/jobs/[job_id]", "Job", JobDetailState.reload)
_add(batches_page(), "/dashboard/batches", "Batches", BatchesState.load)
_add(batch_page(), "/dashboard/batches/[batch_id]", "Batch", BatchState.load)
if settings.qa_enabled():
    _add(test_generation_page(), "/dashboard/test-generation", "Test generation")
_add(settings_page(), "/dashboard/settings", "Settings")
_add(sign_in_page(), "/signin", "Sign in", AuthPage.load)
_add(sign_up_page(), "/signup", "Sign up", AuthPage.load)
_add(account_page(), "/account", "Account", AuthPage.load, TokenPanel.load)
