"""Files left in storage by work that died between writing the file and committing its row.

`publish_document` writes the file, then saves its row in the caller's transaction. A process
killed in between (kill -9 during `issue_calls`, a lost worker) or a caller's transaction rolled
back after the call leaves a file that no row names. Nothing links to it, but it holds personal
data and takes space: `purge_orphan_files` deletes such files once they are old enough that no
transaction still in flight can commit a row naming them.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from tantieme.documents.models import Document

logger = logging.getLogger("tantieme.documents")

ROOT = "documents"
GRACE = datetime.timedelta(hours=1)  # far longer than any transaction that writes a document


def storage_folders(storage: Storage, root: str) -> Iterator[str]:
    """`root` and every folder below it."""
    if not storage.exists(root):
        return
    pending = [root]
    while pending:
        folder = pending.pop()
        yield folder
        subfolders, _files = storage.listdir(folder)
        pending.extend(f"{folder}/{name}" for name in subfolders)


def orphan_files(*, now: datetime.datetime, storage: Storage = default_storage) -> list[str]:
    """Names of the files under `documents/` older than `GRACE` that no document names."""
    orphans: list[str] = []
    for folder in storage_folders(storage, ROOT):
        _subfolders, files = storage.listdir(folder)
        if not files:
            continue
        names = {f"{folder}/{name}" for name in files}
        known = set(Document.all_firms.filter(file__in=names).values_list("file", flat=True))
        for name in sorted(names - known):
            if now - storage.get_modified_time(name) >= GRACE:
                orphans.append(name)
    return orphans


def purge_orphan_files(*, now: datetime.datetime | None = None, storage: Storage = default_storage) -> int:
    """Delete the orphan files; their number. Logged, never the file contents."""
    now = now or timezone.now()
    names = orphan_files(now=now, storage=storage)
    for name in names:
        storage.delete(name)
        logger.warning("documents.orphan_file_deleted name=%s", name)
    return len(names)
