"""Admin views: the sending dashboard of an issue, CSV import, consent proof."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import ImportForm, ScheduleForm, TestSendForm
from .models import ConsentEvent, NewsletterIndexPage, NewsletterIssuePage, Sending, Subscriber


def _issue(request, page_id) -> NewsletterIssuePage:
    issue = get_object_or_404(NewsletterIssuePage, pk=page_id)
    if not issue.permissions_for_user(request.user).can_publish():
        raise PermissionDenied
    return issue


def issue_dashboard(request, page_id):
    issue = _issue(request, page_id)
    sending = Sending.objects.filter(issue=issue).first()
    test_form = TestSendForm(prefix="test")
    schedule_form = ScheduleForm(
        prefix="schedule",
        initial={"when": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)},
    )
    if request.method == "POST":
        if "test-addresses" in request.POST:
            test_form = TestSendForm(request.POST, prefix="test")
            if test_form.is_valid():
                count = services.issue_send_test(
                    issue=issue.get_latest_revision_as_object(),
                    addresses=test_form.cleaned_data["addresses"],
                )
                messages.success(request, _("Test sent to %(count)d addresses.") % {"count": count})
                return redirect("newsletter_admin:issue", page_id)
        elif "schedule-when" in request.POST:
            schedule_form = ScheduleForm(request.POST, prefix="schedule")
            if schedule_form.is_valid():
                try:
                    services.issue_schedule(issue=issue, when=schedule_form.cleaned_data["when"])
                except ValidationError as exc:
                    schedule_form.add_error("when", exc)
                else:
                    messages.success(request, _("The issue has been scheduled."))
                    return redirect("newsletter_admin:issue", page_id)
    context = {
        "issue": issue,
        "sending": sending,
        "test_form": test_form,
        "schedule_form": schedule_form,
        "progress": services.sending_progress(sending=sending) if sending else None,
        "stats": services.sending_stats(sending=sending) if sending else None,
        # Refresh while sending: the progress is live without client code.
        "refresh": sending is not None and sending.state == Sending.State.SENDING,
    }
    return render(request, "newsletter/admin/issue.html", context)


def issue_progress(request, page_id):
    issue = _issue(request, page_id)
    sending = get_object_or_404(Sending, issue=issue)
    return JsonResponse({"state": sending.state, **services.sending_progress(sending=sending)})


@require_POST
def issue_pause(request, page_id):
    sending = get_object_or_404(Sending, issue=_issue(request, page_id))
    services.sending_pause(sending=sending)
    messages.success(request, _("Sending paused."))
    return redirect("newsletter_admin:issue", page_id)


@require_POST
def issue_resume(request, page_id):
    sending = get_object_or_404(Sending, issue=_issue(request, page_id))
    services.sending_resume(sending=sending)
    messages.success(request, _("Sending resumed."))
    return redirect("newsletter_admin:issue", page_id)


def issue_new_prefilled(request, index_id):
    index = get_object_or_404(NewsletterIndexPage, pk=index_id)
    if not index.permissions_for_user(request.user).can_add_subpage():
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "newsletter/admin/new_issue.html", {"index": index})
    issue = services.issue_create_prefilled(index=index, user=request.user)
    messages.success(request, _("A new draft issue with the latest content has been created."))
    return redirect("wagtailadmin_pages:edit", issue.pk)


def subscriber_proof(request, pk):
    if not request.user.has_perm("newsletter.view_subscriber"):
        raise PermissionDenied
    subscriber = get_object_or_404(Subscriber, pk=pk)
    data = services.subscriber_export(subscriber=subscriber)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="toestemming-{subscriber.pk}.json"'
    return response


def subscriber_staff_unsubscribe(request, pk):
    if not request.user.has_perm("newsletter.change_subscriber"):
        raise PermissionDenied
    subscriber = get_object_or_404(Subscriber, pk=pk)
    if request.method != "POST":
        return render(request, "newsletter/admin/unsubscribe.html", {"subscriber": subscriber})
    services.subscriber_unsubscribe(
        subscriber=subscriber, channel=ConsentEvent.Channel.STAFF, by=request.user.pk
    )
    messages.success(request, _("The subscriber has been unsubscribed."))
    return redirect("wagtailsnippets_newsletter_subscriber:list")


def subscriber_import(request):
    if not request.user.has_perm("newsletter.add_subscriber"):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"].read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 encoded CSV."))
        else:
            report = services.subscribers_import(csv_text=text, source=form.cleaned_data["source"])
    return render(
        request,
        "newsletter/admin/import.html",
        {"form": form, "report": report},
        status=400 if request.method == "POST" and form.errors else 200,
    )
