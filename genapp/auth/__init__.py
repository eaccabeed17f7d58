"""Who the user is: accounts, server-issued sessions (HttpOnly cookie), failed sign-in limits, the /auth routes."""
