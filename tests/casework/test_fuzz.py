"""Step G: hostile-input fuzzing of the intake and messaging views (Hypothesis).

More than 10,000 generated inputs in total (FUZZ_* below) in the thorough profile
(`make test-thorough`), a tenth of that in `make test` (tests/fuzzing.py), sent
through the test client:
text with NUL bytes, control and surrogate-free Unicode, very long strings, wrong types
for choice fields, and broken multipart bodies. Every answer is below 500, and nothing
is written partially: a refused message adds no timeline entry, a refused final step
creates no case.
"""

from django.urls import reverse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.models import Case, CaseDraft, TimelineEntry
from tests.fuzzing import examples

pytestmark = pytest.mark.django_db

FUZZ_INTAKE = 2_500
FUZZ_MESSAGES = 2_000
FUZZ_MULTIPART = 3_000
FUZZ_AUTOSAVE = 2_600

hostile_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from("\x00\x01\x7f<>\"'&%;/\\\u202e\ufeff"), max_size=40),
    st.builds(
        lambda n, c: c * n,
        st.integers(min_value=5_000, max_value=12_000),
        st.sampled_from(["a", "é", "\x00", "<"]),
    ),
    st.just("<script>alert(1)</script>"),
    st.just("../../etc/passwd"),
)
field_names = st.sampled_from(
    [
        "person_name",
        "person_birth_date",
        "other_persons",
        "municipality",
        "problem",
        "safety_risk",
        "ave_level",
        "jeugd_entry",
        "tried",
        "partners",
        "question",
        "urgency",
        "confirm",
        "back",
        "_step",
        "kind",
    ]
)
form_data = st.dictionaries(
    field_names, st.one_of(hostile_text, st.lists(hostile_text, max_size=3)), max_size=8
)
steps = st.sampled_from(["persoon", "situatie", "vraag", "controle"])
FAST = settings(
    max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), database=None
)


def fuzz_settings(n):
    return settings(FAST, max_examples=examples(n))


@pytest.fixture
def draft(client, partner):
    client.force_login(partner)
    client.post(reverse("casework:intake_start"), {"kind": "pga-jeugd"})
    return CaseDraft.objects.get()


def test_the_intake_steps_survive_hostile_input(client, draft):
    @fuzz_settings(FUZZ_INTAKE)
    @given(step=steps, data=form_data)
    def run(step, data):
        cases_before = Case.objects.count()
        response = client.post(reverse("casework:intake_step", args=[draft.public_id, step]), data)
        assert response.status_code < 500
        if response.status_code == 400:
            assert Case.objects.count() == cases_before

    run()


def test_autosave_survives_hostile_input(client, draft):
    @fuzz_settings(FUZZ_AUTOSAVE)
    @given(data=form_data)
    def run(data):
        response = client.post(reverse("casework:intake_autosave", args=[draft.public_id]), data)
        assert response.status_code in (204, 400)

    run()


def test_messages_survive_hostile_input(client, partner, case):
    client.force_login(partner)
    url = reverse("casework:case_action", args=[case.public_id, "bericht"])

    @fuzz_settings(FUZZ_MESSAGES)
    @given(body=hostile_text, extra=form_data)
    def run(body, extra):
        before = TimelineEntry.objects.filter(case=case).count()
        response = client.post(url, {**extra, "body": body})
        assert response.status_code < 500
        after = TimelineEntry.objects.filter(case=case).count()
        assert after == before + (1 if response.status_code == 302 else 0)

    run()


def test_broken_multipart_bodies_get_a_4xx(client, partner, case, draft):
    client.force_login(partner)
    targets = [
        reverse("casework:case_action", args=[case.public_id, "bericht"]),
        reverse("casework:case_attachment_upload", args=[case.public_id]),
        reverse("casework:intake_step", args=[draft.public_id, "vraag"]),
    ]

    @fuzz_settings(FUZZ_MULTIPART)
    @given(
        target=st.sampled_from(targets),
        boundary=st.text(alphabet="abcxyz-0123456789", min_size=0, max_size=20),
        body=st.binary(max_size=400),
        declared=st.sampled_from(
            [
                "multipart/form-data",
                "multipart/form-data; boundary=",
                "multipart/form-data; boundary=zzz",
            ]
        ),
    )
    def run(target, boundary, body, declared):
        content_type = f"{declared}{boundary}" if declared.endswith("=") else declared
        before = TimelineEntry.objects.filter(case=case).count()
        response = client.generic("POST", target, body, content_type=content_type)
        assert response.status_code < 500
        assert TimelineEntry.objects.filter(case=case).count() == before

    run()


def test_the_fuzzing_covers_at_least_ten_thousand_inputs():
    assert FUZZ_INTAKE + FUZZ_MESSAGES + FUZZ_MULTIPART + FUZZ_AUTOSAVE >= 10_000


FUZZ_PROCESREGIE = 600
regie_fields = st.sampled_from(
    [
        "date",
        "start",
        "end",
        "location",
        "online_url",
        "agenda",
        "organisations",
        "people",
        "minutes",
        "decisions",
        "attended",
        "summary",
        "content_goal",
        "title",
        "organisation",
        "owner_user",
        "due_date",
        "meeting",
        "status",
        "progress",
    ]
)
regie_data = st.dictionaries(
    regie_fields,
    st.one_of(
        hostile_text,
        st.lists(hostile_text, max_size=3),
        st.sampled_from(["2026-11-02", "09:00", "-1", "99999999999999999999", "1"]),
    ),
    max_size=8,
)


def test_the_procesregie_forms_survive_hostile_input(client, regisseur, partner, case):
    """Every procesregie POST answers below 500; a refused one changes nothing."""
    from datetime import timedelta

    from django.utils import timezone

    from casework import services
    from casework.models import CarePlan, CaseMeeting, PlanAction

    start = timezone.now() - timedelta(days=1)
    meeting = services.meeting_plan(
        case=case,
        actor=regisseur,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        organisations=[case.organisation],
        location="Fuzz",
    )
    draft = services.plan_draft_start(case=case, actor=regisseur)
    services.plan_draft_update(
        plan=draft, actor=regisseur, texts={"summary": "s", "content_goal": "d"}
    )
    action = services.plan_action_add(
        plan=draft,
        actor=regisseur,
        title="Fuzz",
        organisation=case.organisation,
        due_date=start.date(),
    )
    args = [case.public_id]
    targets = [
        (regisseur, reverse("casework:meeting_plan", args=args)),
        (regisseur, reverse("casework:meeting_minutes", args=[*args, meeting.public_id])),
        (regisseur, reverse("casework:plan_draft", args=args)),
        (regisseur, reverse("casework:plan_action_add", args=args)),
        (regisseur, reverse("casework:plan_adopt", args=args)),
        (partner, reverse("casework:action_update", args=[*args, action.public_id])),
    ]

    def state():
        return (
            CaseMeeting.objects.count(),
            CarePlan.objects.filter(status="adopted").count(),
            PlanAction.objects.count(),
        )

    @fuzz_settings(FUZZ_PROCESREGIE)
    @given(target=st.sampled_from(targets), data=regie_data)
    def run(target, data):
        user, url = target
        client.force_login(user)
        before = state()
        response = client.post(url, data)
        assert response.status_code < 500
        if response.status_code >= 400:
            assert state() == before

    run()
    # The adopted plan's action for the partner: the update URL is only live after adoption.
    draft.refresh_from_db()
    if draft.status == CarePlan.Status.DRAFT:  # the fuzzing may have adopted it already
        # ... or emptied its text: adopting needs a picture and a goal.
        services.plan_draft_update(
            plan=draft, actor=regisseur, texts={"summary": "s", "content_goal": "d"}
        )
        services.plan_adopt(plan=draft, actor=regisseur, meeting=meeting)
    client.force_login(partner)
    adopted_action = PlanAction.objects.filter(
        plan__status="adopted", organisation=case.organisation
    ).first()
    url = reverse("casework:action_update", args=[*args, adopted_action.public_id])

    @fuzz_settings(FUZZ_PROCESREGIE // 3)
    @given(data=regie_data)
    def run_update(data):
        response = client.post(url, data)
        assert response.status_code < 500

    run_update()
