"""Every setting of genapp, read once from the environment (prefix GENAPP_) or a .env file."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GENAPP_", env_file=".env", extra="ignore")

    db_url: str = Field("sqlite:///genapp.db", description="SQLAlchemy URL of the job database.")
    frontend_port: int = Field(3000, description="Port of the web UI.")
    backend_port: int = Field(8000, description="Port of the backend (websocket and HTTP API).")
    max_concurrent_jobs: int = Field(4, ge=1, le=256, description="Jobs that run at once; the rest wait in submission order.")
    push_interval_seconds: float = Field(0.1, gt=0, description="Progress pushes to the browser are coalesced to one per this interval.")
    db_flush_seconds: float = Field(1.0, gt=0, description="Progress is written to the database at least this often (status changes at once).")
    max_prompt_chars: int = Field(4000, ge=1, description="Longest accepted free-text prompt.")
    max_simulated_seconds: float = Field(120, gt=0, description="Longest simulated duration on the QA page.")
    recent_jobs_shown: int = Field(20, ge=1, description="Finished jobs listed in the Active Generations tile.")
    progress_trace: str = Field("", description="Benchmarks only: a file to log each published progress change to.")
    user_cookie_days: int = Field(365, ge=1, description="Lifetime of the cookie that identifies a browser's user.")


settings = Settings()
