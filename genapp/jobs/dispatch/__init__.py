"""Dispatchers: where jobs run. `local`: an asyncio queue in this process; `procrastinate`: worker processes."""
