"""What each page of the desktop app shows, read in one transaction as one frozen snapshot.

One module per page: `read_x_page(conn, ...)` composes the services' `read_*` functions inside the caller's
transaction (tested without Qt), and `load_x_page(db, ...)` runs it in one `db.reading()` for the UI's worker
thread. The rules stay in the services; a page only gathers what they say, so the screens hold no domain rules.
"""
