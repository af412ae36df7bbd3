"""The certificate of attendance as a PDF (fpdf2)."""

from django.utils import formats, timezone

from fpdf import FPDF

from portal.mail import absolute_url

from .models import Registration


def _latin1(text: str) -> str:
    # The PDF core fonts cover Latin-1; typographic dashes and quotes are mapped.
    table = {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "..."}
    text = "".join(table.get(char, char) for char in text)
    return text.encode("latin-1", "replace").decode("latin-1")


def certificate_pdf(*, registration: Registration, code: str) -> bytes:
    event = registration.event
    sessions = event.ordered_sessions()
    dates = ", ".join(
        formats.date_format(timezone.localtime(s.starts_at), "j F Y") for s in sessions
    )
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(f"Certificaat {event.title}"))
    pdf.set_author("ZVH Brabant Zuidoost")
    pdf.add_page()
    pdf.set_draw_color(11, 61, 110)
    pdf.set_line_width(1.5)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("helvetica", "B", 28)
    pdf.set_text_color(7, 42, 77)
    pdf.set_y(30)
    pdf.cell(0, 14, "Certificaat van deelname", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 14)
    pdf.set_text_color(26, 26, 26)
    pdf.ln(6)
    pdf.cell(
        0,
        8,
        "Hierbij verklaart het Zorg- en Veiligheidshuis Brabant Zuidoost dat",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("helvetica", "B", 22)
    pdf.ln(4)
    pdf.cell(0, 12, _latin1(registration.name), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 14)
    pdf.ln(4)
    pdf.cell(0, 8, "heeft deelgenomen aan", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 16)
    pdf.multi_cell(0, 9, _latin1(event.title), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 13)
    pdf.cell(0, 8, _latin1(dates), align="C", new_x="LMARGIN", new_y="NEXT")
    if event.has_accreditation:
        pdf.ln(4)
        points = formats.number_format(event.accreditation_points, decimal_pos=1)
        line = f"{points} punten, {event.accreditation_register}"
        if event.accreditation_course_id:
            line += f", cursuscode {event.accreditation_course_id}"
        if registration.register_number:
            line += f", registratienummer {registration.register_number}"
        pdf.cell(0, 8, _latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(170)
    pdf.set_font("helvetica", "", 10)
    pdf.set_text_color(74, 83, 97)
    verify = absolute_url("/agenda/certificaat/controleren/")
    pdf.cell(0, 6, f"Verificatiecode: {code}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(
        0, 6, f"Controleer dit certificaat op {verify}", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
