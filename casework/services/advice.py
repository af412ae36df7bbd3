"""Advice requests that come in by phone or e-mail: logging and answering them."""

from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Municipality

from .. import audit
from ..models import AdviceRequest, PartnerOrganisation
from ._common import CaseworkError, _require_staff, _require_write_access


@transaction.atomic
def advice_log(
    *,
    actor: User,
    channel: str,
    question: str,
    advice: str = "",
    organisation: PartnerOrganisation | None = None,
    municipality: Municipality | None = None,
    request: HttpRequest | None = None,
) -> AdviceRequest:
    """Staff log an advice request that came in by phone or e-mail."""
    _require_staff(actor, "log_advice")
    advice_request = AdviceRequest.objects.create(
        organisation=organisation,
        municipality=municipality,
        channel=channel,
        question=question,
        advice=advice,
        advised_at=timezone.now() if advice else None,
        logged_by=actor,
    )
    audit.record(action="advice.log", user=actor, request=request, obj=advice_request)
    return advice_request


@transaction.atomic
def advice_answer(
    *,
    advice_request: AdviceRequest,
    actor: User,
    advice: str,
    request: HttpRequest | None = None,
) -> AdviceRequest:
    _require_staff(actor, "log_advice")
    if advice_request.case is not None:
        _require_write_access(actor, advice_request.case)
    if advice_request.anonymised_at:
        raise CaseworkError(_("This advice request has passed its retention term."))
    advice_request.advice = advice
    advice_request.advised_at = timezone.now()
    advice_request.save(update_fields=["advice", "advised_at"])
    audit.record(action="advice.answer", user=actor, request=request, obj=advice_request)
    return advice_request
