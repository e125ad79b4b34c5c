class TicketError(Exception):
    """A request the ticket's state does not allow (message in French, for the page)."""
