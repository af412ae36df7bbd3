"""Index sync and housekeeping; each task takes ids and calls one service."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=10, max_retries=5)
def sync_page(page_id: int) -> dict:
    return services.search_sync_page(page_id=page_id)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=10, max_retries=5)
def remove_pages(page_ids: list[int]) -> None:
    services.search_remove_pages(page_ids=page_ids)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=10, max_retries=5)
def sync_expert(expert_id: int) -> dict:
    return services.search_sync_expert(expert_id=expert_id)
