"""Live updates over WebSockets: `publish` (called by the services after commit), `consumers`
and `routing` (the sockets of the floor view and of one list)."""
