class DocumentError(Exception):
    """A document cannot be published as asked (its message is shown to the staff member)."""


class UploadRefused(DocumentError):  # noqa: N818  (reads as what happened, like Django's ValidationError)
    """A file is not an accepted type, is empty or too large."""
