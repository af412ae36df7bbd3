"""The search service (placeholder until the index lands)."""


def search_schedule_page(*, page_id: int) -> None:
    """Queue (re)indexing of one page."""
