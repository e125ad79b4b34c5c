"""Render notices in worker processes (ReportLab is CPU-bound): `pool_renderer(workers)`.

Workers are started with the "spawn" method: they import only `tantieme.funds.notices` (ReportLab
and the money formatting), never Django's database connections, which a forked child could close
under its parent's feet.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tantieme.funds.issuing import Renderer, render_serially
from tantieme.funds.notices import NoticeData, render_notice_pdf


@contextmanager
def pool_renderer(workers: int) -> Iterator[Renderer]:
    """A renderer that spreads a chunk of notices over `workers` processes (1: in this process)."""
    if workers <= 1:
        yield render_serially
        return
    context = multiprocessing.get_context("spawn")
    pool: Any = context.Pool(processes=workers)
    try:

        def render(items: Sequence[NoticeData]) -> list[bytes]:
            chunksize = max(1, len(items) // (workers * 4))
            return list(pool.map(render_notice_pdf, items, chunksize=chunksize))

        yield render
    finally:
        pool.close()
        pool.join()
