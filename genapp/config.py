"""Every setting of genapp, read once from the environment (prefix GENAPP_) or a .env file."""

from typing import Annotated, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GENAPP_", env_file=".env", extra="ignore")

    mode: Literal["embedded", "scaled"] = Field(
        "embedded",
        description="embedded: one backend process runs the jobs itself (SQLite or Postgres). "
        "scaled: Postgres + Redis, several backends that run no jobs, and `genapp worker` processes that do.",
    )
    db_url: str = Field("sqlite:///genapp.db", description="SQLAlchemy URL of the job database (scaled mode: postgresql+psycopg://...).")
    redis_url: str = Field("", description="Scaled mode: Redis for the progress channel and Reflex's state (e.g. redis://127.0.0.1:6379/0).")
    redis_channel: str = Field("genapp:jobs", description="Scaled mode: the Redis pub/sub channel of job events (one per deployment).")
    worker_concurrency: int = Field(4, ge=1, le=256, description="Scaled mode: jobs one `genapp worker` process runs at once.")
    worker_heartbeat_seconds: float = Field(2.0, gt=0, description="Scaled mode: how often a worker says it is alive.")
    worker_stalled_seconds: float = Field(10.0, gt=0, description="Scaled mode: a worker silent this long is dead; its jobs run again elsewhere.")
    worker_sweep_seconds: float = Field(2.0, gt=0, description="Scaled mode: how often workers look for jobs that lost their run.")
    worker_shutdown_seconds: float = Field(10.0, ge=0, description="Scaled mode: on SIGTERM, running jobs get this long to finish; the rest resume elsewhere.")
    frontend_port: int = Field(3000, description="Port of the web UI.")
    backend_port: int = Field(8000, description="Port of the backend (websocket and HTTP API).")
    allowed_origins: str = Field(
        "", description="Comma-separated origins whose pages may talk to the backend (CORS and the websocket); empty: this machine's UI port."
    )
    max_concurrent_jobs: int = Field(4, ge=1, le=256, description="Jobs that run at once; the rest wait in submission order.")
    push_interval_seconds: float = Field(
        0.075, gt=0, description="Progress pushes to the browser are coalesced to one per this interval (0.075 s: publish-to-screen p95 under 100 ms)."
    )
    db_flush_seconds: float = Field(1.0, gt=0, description="Progress is written to the database at least this often (status changes at once).")
    max_prompt_chars: int = Field(4000, ge=1, description="Longest accepted free-text prompt.")
    qa_page: Literal["auto", "on", "off"] = Field(
        "auto", description="The QA page (many paced jobs, failure injection): auto = on in the embedded mode, off in the scaled mode (a shared service)."
    )
    max_simulated_seconds: float = Field(120, gt=0, description="Longest simulated duration on the QA page.")
    user_max_active_jobs: int = Field(50, ge=1, description="Fair use: generations one user may have queued or running at once.")
    user_max_jobs_per_minute: int = Field(60, ge=1, description="Fair use: generations one user may start in any minute.")
    max_pending_jobs: int = Field(1000, ge=1, description="Fair use: generations waiting, all users together; beyond it submissions are refused.")
    retention_days: int = Field(0, ge=0, description="Finished jobs older than this many days are removed (starred ones never); 0 keeps them.")
    retention_keep_newest: int = Field(0, ge=0, description="Only each user's newest this many finished jobs are kept (starred ones never count or go); 0: no limit.")
    retention_sweep_seconds: float = Field(3600, gt=0, description="How often retention runs.")
    admins: str = Field("", description="Comma-separated emails of the accounts that may pause and resume the whole service.")
    recent_jobs_shown: int = Field(20, ge=1, description="Finished jobs listed in the Active Generations tile.")
    progress_trace: str = Field("", description="Benchmarks only: a file to log each published progress change to.")
    user_cookie_days: int = Field(365, ge=1, description="Lifetime of a guest's session (a browser that has not signed in).")
    session_days: int = Field(30, ge=1, description="Lifetime of a signed-in session.")

    media_dir: str = Field("media", description="Folder where images from an image provider are stored (one file per job).")

    # ----- text provider: any OpenAI-compatible Chat Completions server (OpenAI, Ollama, vLLM, LM Studio, llama.cpp)
    llm_base_url: str = Field("", description="Base URL of the API, up to and including /v1 (e.g. http://localhost:11434/v1). Empty: no LLM.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="Bearer token, if the server wants one. Never shown or logged.")
    llm_model: str = Field("", description="Model name sent with each request (e.g. gpt-4o-mini, llama3.1).")
    llm_structured_output: Literal["auto", "json_schema", "json_object", "prompt"] = Field(
        "auto", description="How JSON is asked for: auto sends json_schema and, for a request the server refuses because of it, the schema in the prompt."
    )
    llm_temperature: float = Field(0.9, ge=0, le=2, description="Sampling temperature.")
    llm_max_tokens: Annotated[int, Field(ge=64)] | Literal["auto", "unset"] = Field(
        "auto",
        description="max_tokens per answer: auto sizes it from what the content type needs and what the server's context leaves; "
        "a number caps that; unset sends none (the server decides).",
    )
    llm_connect_timeout_seconds: float = Field(10, gt=0, description="Time allowed to open a connection.")
    llm_read_timeout_seconds: float = Field(120, gt=0, description="Longest silence allowed while waiting for the next streamed piece.")
    llm_request_timeout_seconds: float = Field(900, gt=0, description="Longest one request may take in all.")
    default_text_source: Literal["auto", "procedural", "llm"] = Field(
        "auto", description="Preselected text source on the forms; auto = the LLM when one is configured, else procedural."
    )

    # ----- image provider: the OpenAI images API or an AUTOMATIC1111 server
    image_provider: Literal["none", "openai", "a1111"] = Field("none", description="none keeps the procedural SVG illustrations.")
    image_base_url: str = Field("", description="OpenAI: up to and including /v1; AUTOMATIC1111: the server root (e.g. http://127.0.0.1:7860).")
    image_api_key: SecretStr = Field(SecretStr(""), description="Bearer token for the image API, if it wants one. Never shown or logged.")
    image_model: str = Field("dall-e-3", description="OpenAI image model (ignored by AUTOMATIC1111, which uses its loaded checkpoint).")
    image_size: str = Field("1024x1024", pattern=r"^\d{2,4}x\d{2,4}$", description="Width x height of generated images.")
    image_steps: int = Field(25, ge=1, le=150, description="AUTOMATIC1111 sampling steps.")
    image_timeout_seconds: float = Field(300, gt=0, description="Longest one image request may take.")
    default_image_source: Literal["auto", "procedural", "api"] = Field(
        "auto", description="Preselected illustration source; auto = the image service when one is configured, else procedural SVG."
    )
    image_max_response_bytes: int = Field(40_000_000, ge=1024, description="Largest image answer accepted (base64 inflates images by a third).")

    # ----- faults, shared by both providers
    provider_max_attempts: int = Field(4, ge=1, le=10, description="Tries per request before the job fails (timeouts, 429, 5xx, cut streams).")
    provider_backoff_seconds: float = Field(1.0, ge=0, description="First retry delay; it doubles each try, with jitter.")
    provider_backoff_cap_seconds: float = Field(30, ge=0, description="Longest delay between tries.")
    provider_max_retry_after_seconds: float = Field(120, ge=0, description="Longest Retry-After honoured; a server asking for more fails the job at once.")
    provider_max_response_bytes: int = Field(2_000_000, ge=1024, description="Largest answer accepted from the LLM server.")

    # ----- automatic retries of a whole job (genapp/jobs/retries.py); each job keeps the policy it was submitted with
    retry_attempts: int = Field(3, ge=1, le=20, description="Runs a job gets on transient faults (provider down, worker lost), the first included; 1: no automatic retries.")
    retry_base_seconds: float = Field(2.0, ge=0, description="Shortest wait before an automatic retry; each wait is random, up to 3x the previous one (decorrelated jitter).")
    retry_max_seconds: float = Field(60.0, ge=0, description="Longest wait before an automatic retry.")


    def qa_enabled(self) -> bool:
        return self.qa_page == "on" or (self.qa_page == "auto" and self.mode == "embedded")

    def is_admin(self, email: str) -> bool:
        """Whether a signed-in account with this email may pause the whole service."""
        wanted = {e.strip().lower() for e in self.admins.split(",") if e.strip()}
        return bool(email) and email.strip().lower() in wanted

    def origins(self) -> list[str]:
        """The origins the backend answers: the setting, or the UI on this machine by either name."""
        if self.allowed_origins.strip():
            return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]
        return [f"http://localhost:{self.frontend_port}", f"http://127.0.0.1:{self.frontend_port}"]


settings = Settings()

