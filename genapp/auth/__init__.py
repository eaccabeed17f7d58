"""Who the user is: today the browser's user-id cookie; accounts and server sessions come here next."""
