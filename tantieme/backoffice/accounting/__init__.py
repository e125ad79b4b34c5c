"""The accounting pages, one module per use case (see `base`)."""
