"""Refusals of the notes services (their message is shown to the staff member as is)."""


class NoteError(Exception):
    pass
