"""Step F: attachments are checked by content, scanned (failing closed), stripped of
metadata, stored privately and encrypted, and served only through the audited view."""

import io
import time
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import pytest
import yaml
from PIL import Image

from casework import attachments, services
from casework.models import Attachment, AuditEntry
from portal.clamd_local import SCAN_LIMITS, LocalClamd

from .clamd import EICAR

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ" + b"\x90" * 58 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00" + b"\x00" * 200


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "Testcamera"  # Make
    exif[0x8825] = {2: (51.0, 26.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def reauthenticated(client, user):
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()


def upload(client, case, name, data, content_type="application/pdf"):
    return client.post(
        reverse("casework:case_attachment_upload", args=[case.public_id]),
        {"attachment": SimpleUploadedFile(name, data, content_type=content_type)},
    )


def test_a_partner_adds_a_pdf_which_is_stored_encrypted_outside_media(
    client, partner, case, scanner, settings
):
    client.force_login(partner)
    response = upload(client, case, "verslag.pdf", PDF)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    stored = Path(settings.CASEWORK_ATTACHMENT_ROOT) / attachment.storage_name
    assert PDF not in stored.read_bytes()
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    assert attachment.original_name == "verslag.pdf"


def test_the_eicar_file_is_refused_with_a_clear_message(client, partner, case, scanner):
    client.force_login(partner)
    response = upload(client, case, "eicar.pdf", EICAR)
    assert response.status_code == 400
    assert "virus" in response.content.decode()
    assert not Attachment.objects.exists()


def test_eicar_hidden_in_a_pdf_is_refused(client, partner, case, scanner):
    client.force_login(partner)
    assert upload(client, case, "rapport.pdf", PDF + EICAR).status_code == 400
    assert not Attachment.objects.exists()


def test_an_executable_posing_as_a_pdf_is_refused(client, partner, case, scanner):
    client.force_login(partner)
    response = upload(client, case, "rapport.pdf", EXE)
    assert response.status_code == 400
    assert "niet geaccepteerd" in response.content.decode()
    assert not Attachment.objects.exists()


def test_a_png_named_pdf_is_refused_because_name_and_contents_differ(
    client, partner, case, scanner
):
    image = io.BytesIO()
    Image.new("RGB", (4, 4)).save(image, "PNG")
    client.force_login(partner)
    assert upload(client, case, "scan.pdf", image.getvalue()).status_code == 400


def test_an_oversized_file_is_refused(client, partner, case, scanner, settings):
    settings.CASEWORK_ATTACHMENT_MAX_BYTES = 1024
    client.force_login(partner)
    response = upload(client, case, "groot.pdf", PDF + b"0" * 2048)
    assert response.status_code == 400
    assert "te groot" in response.content.decode()


def word_file(parts: dict[str, bytes | int]) -> bytes:
    """A .docx as filetype recognises it (a zip with Word's parts), plus ``parts``: bytes
    as they are, or an int for a run of that many MiB of zeros, written in pieces, so a
    gigantic unpacked size costs little memory and only a few hundred KB packed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in parts.items():
            if isinstance(content, int):
                with archive.open(name, "w") as handle:
                    for _ in range(content):
                        handle.write(bytes(1024 * 1024))
            else:
                archive.writestr(name, content)
    return out.getvalue()


def nested_archives(depth: int) -> bytes:
    """A .docx holding a zip holding a zip ... ``depth`` levels deep."""
    data, name = b"binnenste laag", "laag.txt"
    for level in range(depth - 1):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, data)
        data, name = out.getvalue(), f"laag{level}.zip"
    return word_file({f"word/embeddings/{name}": data})


def encrypted_flag(data: bytes) -> bytes:
    """The same zip with every entry marked as encrypted (general purpose bit 0), as a
    password-protected archive is; zipfile cannot write real zip encryption."""
    marked = bytearray(data)
    for signature, flag_offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = marked.find(signature)
        while start >= 0:
            marked[start + flag_offset] |= 1
            start = marked.find(signature, start + 4)
    return bytes(marked)


LIMITS_MESSAGE = "te groot of te diep genest"


def test_a_zip_bomb_is_refused_as_unchecked(client, partner, case, scanner):
    """256 MiB of zeros packed into about 250 KB: clamd used to stop reading at its
    limit and answer OK, so the upload was accepted. An ordinary Word file (20 MiB
    inside) is still accepted: the limits leave room for real documents."""
    client.force_login(partner)
    ordinary = word_file({"word/media/image1.png": 20})
    assert upload(client, case, "verslag.docx", ordinary).status_code == 302
    bomb = word_file({"word/media/image1.png": 256})
    assert len(bomb) < 1024 * 1024
    response = upload(client, case, "bom.docx", bomb)
    assert response.status_code == 400
    assert LIMITS_MESSAGE in response.content.decode()
    assert Attachment.objects.get().original_name == "verslag.docx"
    assert AuditEntry.objects.filter(action="attachment.refused", result="refused").exists()


def test_archives_nested_too_deep_are_refused(client, partner, case, scanner):
    client.force_login(partner)
    response = upload(client, case, "verslag.docx", nested_archives(14))
    assert response.status_code == 400
    assert LIMITS_MESSAGE in response.content.decode()
    assert not Attachment.objects.exists()


def test_an_encrypted_archive_is_refused_because_it_cannot_be_scanned(
    client, partner, case, scanner
):
    client.force_login(partner)
    locked = encrypted_flag(word_file({"word/media/image1.png": b"geheim" * 100}))
    response = upload(client, case, "verslag.docx", locked)
    assert response.status_code == 400
    assert "wachtwoord" in response.content.decode()
    assert not Attachment.objects.exists()


def test_every_clamd_configuration_of_the_project_enforces_the_scan_limits(tmp_path):
    """The test and demo clamd (portal/clamd_local.py) and the production stack's."""
    assert SCAN_LIMITS["AlertExceedsMax"] == "yes"
    assert {"MaxScanSize", "MaxFileSize", "MaxRecursion", "MaxFiles"} <= set(SCAN_LIMITS)
    local = LocalClamd(tmp_path)
    local.write_files()
    lines = local.config.read_text().splitlines()
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["services"]["clamav"]["environment"]
    for name, value in SCAN_LIMITS.items():
        assert f"{name} {value}" in lines
        assert str(environment[f"CLAMD_CONF_{name}"]) == value


def test_uploads_are_refused_when_the_scanner_is_down(client, partner, case, settings, tmp_path):
    settings.CASEWORK_CLAMD = str(tmp_path / "geen-clamd.sock")
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path / "private"
    client.force_login(partner)
    response = upload(client, case, "verslag.pdf", PDF)
    assert response.status_code == 400
    assert "virusscanner" in response.content.decode()
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "name, expected",
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.pdf", "system.pdf"),
        ("verslag\x00.exe.pdf", "verslag.exe.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
    ],
)
def test_path_tricks_in_file_names_are_neutralised(name, expected):
    assert attachments.clean_filename(name) == expected


def test_image_metadata_is_stripped(partner, case, scanner):
    attachment = services.attachment_add(
        upload=SimpleUploadedFile("foto.jpg", jpeg_with_location(), "image/jpeg"),
        user=partner,
        case=case,
    )
    stored = attachments.load(attachment.storage_name)
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()
    assert b"Testcamera" not in stored


def test_download_needs_re_authentication_and_is_audited(client, partner, case, scanner):
    attachment = services.attachment_add(
        upload=SimpleUploadedFile("verslag.pdf", PDF, "application/pdf"), user=partner, case=case
    )
    url = reverse("casework:case_attachment_download", args=[case.public_id, attachment.public_id])
    client.force_login(partner)
    assert "reauthenticate" in client.get(url)["Location"]
    reauthenticated(client, partner)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert "verslag" not in response["Content-Disposition"]
    assert AuditEntry.objects.filter(
        action="attachment.download", object_id=case.reference
    ).exists()


def test_another_organisation_cannot_download(client, partner, other_partner, case, scanner):
    attachment = services.attachment_add(
        upload=SimpleUploadedFile("verslag.pdf", PDF, "application/pdf"), user=partner, case=case
    )
    client.force_login(other_partner)
    reauthenticated(client, other_partner)
    url = reverse("casework:case_attachment_download", args=[case.public_id, attachment.public_id])
    assert client.get(url).status_code == 404
    assert upload(client, case, "x.pdf", PDF).status_code == 404


def test_an_attachment_added_during_intake_moves_to_the_case(client, partner, scanner):
    from casework.models import Case

    from .factories import MunicipalityFactory
    from .test_intake import start, step_url

    client.force_login(partner)
    draft = start(client)
    municipality = MunicipalityFactory()
    client.post(
        step_url(draft, "persoon"), {"person_name": "Testpersoon", "municipality": municipality.pk}
    )
    client.post(step_url(draft, "situatie"), {"problem": "x", "safety_risk": "y", "tried": "z"})
    # The other answers are missing: the file is kept on the draft anyway.
    response = client.post(
        step_url(draft, "vraag"),
        {"attachment": SimpleUploadedFile("brief.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 400
    assert Attachment.objects.get().draft_id == draft.pk
    client.post(step_url(draft, "vraag"), {"question": "Vraag", "urgency": "normaal"})
    client.post(step_url(draft, "controle"), {"confirm": "on"})
    assert Attachment.objects.get().case == Case.objects.get()
