"""Attachments: adding a checked, scanned and encrypted file to a case or draft,
reading it back (audited), and removing stored files after a commit."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .. import audit
from ..models import Attachment, Case, CaseDraft
from ._common import CaseworkError, _require_open, _require_write_access


def attachment_add(
    *,
    upload: UploadedFile,
    user: User,
    case: Case | None = None,
    draft: CaseDraft | None = None,
    request: HttpRequest | None = None,
) -> Attachment:
    """Check, scan, strip and store a file on a case the user may see fully, or on their own draft."""
    from .. import attachments
    from ..selectors import Access, case_access

    if case is not None:
        if case_access(user, case) != Access.FULL:
            raise CaseworkError(_("You are not allowed to do this."))
        _require_write_access(user, case)
        _require_open(case)
    elif draft is None or draft.owner_id != user.pk:
        raise CaseworkError(_("You are not allowed to do this."))
    try:
        name, content_type, data = attachments.check(upload)
    except attachments.AttachmentRefused as exc:
        audit.record(
            action="attachment.refused",
            user=user,
            request=request,
            obj=case,
            object_type="attachment",
            result="refused",
        )
        raise CaseworkError(str(exc)) from exc
    storage_name, digest = attachments.store(data)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                case=case,
                draft=draft,
                original_name=name,
                content_type=content_type,
                size=len(data),
                sha256=digest,
                storage_name=storage_name,
                uploaded_by=user,
            )
            audit.record(
                action="attachment.upload",
                user=user,
                request=request,
                obj=case or draft,
                object_type="attachment",
            )
    except Exception:
        attachments.remove(storage_name)
        raise
    return attachment


def attachment_read(
    *, attachment: Attachment, user: User, request: HttpRequest | None = None
) -> bytes:
    """The decrypted bytes, for someone who may see the whole case; audited."""
    from .. import attachments
    from ..selectors import Access, case_access

    if attachment.case is None or case_access(user, attachment.case) != Access.FULL:
        raise CaseworkError(_("You are not allowed to do this."))
    audit.record(
        action="attachment.download",
        user=user,
        request=request,
        obj=attachment.case,
        purpose=str(attachment.public_id),
    )
    return attachments.load(attachment.storage_name)


def _remove_attachment_files(queryset: QuerySet[Attachment]) -> None:
    from .. import attachments

    names = list(queryset.values_list("storage_name", flat=True))

    def remove_files() -> None:
        for name in names:
            attachments.remove(name)

    transaction.on_commit(remove_files)
