"""The decree annex (lampiran SK) of an approved decision: the list of recipients added and
removed, as XLSX and PDF, both carrying the SHA-256 of the list's canonical content.

The hash is fixed at approval from the database rows (annex_rows), so anyone can later check
that a printed or shared annex is the approved one: `pulih annex_check FILE.xlsx`.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from pulih.exports import safe_cell, workbook

if TYPE_CHECKING:
    from pulih.programmes.models import Decision

HEADERS = ("No", "Perubahan", "NIK", "Nama", "Nama usaha", "Kelurahan/desa", "Nilai (Rp)")
CHANGE_LABELS = {"add": "Penerima", "remove": "Dikeluarkan"}


def annex_rows(decision: Decision) -> list[tuple[Any, ...]]:
    """The annex's lines in their fixed order: additions, then removals, by application."""
    from pulih.programmes.models import DecisionEntry

    rows = (
        DecisionEntry.objects.filter(decision=decision)
        .order_by("-change", "application_id")  # "remove" < "add": additions first
        .values_list("change", "nik_masked", "full_name", "business_name", "region_code", "amount")
    )
    return [
        (n, CHANGE_LABELS[change], nik, name, business, region, amount)
        for n, (change, nik, name, business, region, amount) in enumerate(
            rows.iterator(chunk_size=20_000), start=1
        )
    ]


def canonical_bytes(rows: list[tuple[Any, ...]]) -> bytes:
    """Tab-separated lines (no field holds a tab: names and codes are single-spaced)."""
    lines = ["\t".join(HEADERS)]
    lines += ["\t".join(str(v) for v in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


def content_sha256(rows: list[tuple[Any, ...]]) -> str:
    return hashlib.sha256(canonical_bytes(rows)).hexdigest()


def annex_dir(decision: Decision) -> Path:
    return Path(settings.PULIH_PROGRAMMES_DIR) / f"round-{decision.round_id}" / "annex"


def annex_schedule(decision: Decision) -> None:
    """Write the files now for a short list; a long one (a 10,000-page PDF) in the background."""
    from django.db import transaction

    if decision.recipients_added + decision.recipients_removed <= settings.PULIH_ANNEX_INLINE_ROWS:
        annex_write(decision.pk)
        return
    from pulih.programmes.tasks import annex_write_task

    transaction.on_commit(lambda: annex_write_task.enqueue(decision.pk))


def annex_write(decision_id: int) -> Decision:
    """Both files of the annex, atomically; the rows must hash to the approved content."""
    from pulih.programmes.models import Decision

    decision = Decision.objects.select_related("round__programme", "decided_by", "prepared_by").get(
        pk=decision_id
    )
    rows = annex_rows(decision)
    digest = content_sha256(rows)
    if digest != decision.content_sha256:
        raise RuntimeError(f"decision {decision.pk}: the list changed after approval")
    folder = annex_dir(decision)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"lampiran-penetapan-{decision.number}"
    xlsx = folder / f"{stem}.xlsx"
    pdf = folder / f"{stem}.pdf"
    _xlsx_write(decision, rows, digest, xlsx)
    _pdf_write(decision, rows, digest, pdf)
    Decision.objects.filter(pk=decision.pk).update(annex_xlsx=xlsx.name, annex_pdf=pdf.name)
    decision.refresh_from_db()
    return decision


def _title(decision: Decision) -> list[str]:
    round_obj = decision.round
    return [
        f"Lampiran penetapan nomor {decision.number}: {round_obj.programme.name} · {round_obj.name}",
        f"{round_obj.programme.agency}",
        f"Disusun oleh {decision.prepared_by}; disetujui oleh {decision.decided_by} pada "
        f"{decision.decided_at:%d-%m-%Y %H:%M}"
        if decision.decided_at
        else "",
        f"SHA-256 isi daftar: {decision.content_sha256}",
    ]


def _xlsx_write(decision: Decision, rows: list[tuple[Any, ...]], digest: str, path: Path) -> None:
    tmp = path.with_suffix(".tmp.xlsx")
    book = workbook(str(tmp))
    # Fixed properties: the same approved list gives the same file, byte for byte.
    stamp = decision.decided_at.replace(tzinfo=None) if decision.decided_at else None
    book.set_properties({"title": _title(decision)[0], "created": stamp, "comments": digest})
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0"})
    sheet = book.add_worksheet("Lampiran")
    title = _title(decision)
    for r, line in enumerate(title):
        sheet.write_string(r, 0, safe_cell(line), bold if r == 0 else None)
    top = len(title) + 1
    for c, header in enumerate(HEADERS):
        sheet.write_string(top, c, header, bold)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 2, 18)
    sheet.set_column(3, 4, 32)
    sheet.set_column(5, 5, 16)
    sheet.set_column(6, 6, 14)
    for r, row in enumerate(rows, start=top + 1):
        sheet.write_number(r, 0, row[0])
        for c in range(1, 6):
            sheet.write_string(r, c, safe_cell(str(row[c])))
        sheet.write_number(r, 6, row[6], money)
    book.close()
    os.replace(tmp, path)


def _pdf_write(decision: Decision, rows: list[tuple[Any, ...]], digest: str, path: Path) -> None:
    """A plain A4 landscape table drawn line by line (a Platypus table of 500,000 rows would
    hold every cell in memory at once)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    tmp = path.with_suffix(".tmp.pdf")
    width, height = landscape(A4)
    pdf = canvas.Canvas(str(tmp), pagesize=(width, height), invariant=1, pageCompression=1)
    pdf.setTitle(_title(decision)[0])
    pdf.setSubject(digest)
    columns = (30, 60, 135, 240, 440, 640, 780)  # x of each column's left edge
    line_height = 12
    margin = 36
    per_page = int((height - 2 * margin - 70) // line_height)
    pages = max(1, -(-len(rows) // per_page))
    for page in range(pages):
        y = height - margin
        pdf.setFont("Helvetica-Bold", 9)
        pdf.drawString(margin, y, _title(decision)[0][:150])
        pdf.setFont("Helvetica", 7)
        y -= 11
        pdf.drawString(margin, y, f"SHA-256 isi daftar: {digest}")
        pdf.drawRightString(width - margin, y, f"Halaman {page + 1} dari {pages}")
        y -= 20
        pdf.setFont("Helvetica-Bold", 7)
        for x, header in zip(columns, HEADERS, strict=True):
            pdf.drawString(x, y, header)
        y -= line_height
        pdf.setFont("Helvetica", 7)
        for row in rows[page * per_page : (page + 1) * per_page]:
            pdf.drawRightString(columns[1] - 6, y, str(row[0]))
            pdf.drawString(columns[1], y, str(row[1]))
            pdf.drawString(columns[2], y, str(row[2]))
            pdf.drawString(columns[3], y, str(row[3])[:40])
            pdf.drawString(columns[4], y, str(row[4])[:40])
            pdf.drawString(columns[5], y, str(row[5]))
            pdf.drawRightString(width - margin, y, f"{row[6]:,}".replace(",", "."))
            y -= line_height
        pdf.showPage()
    pdf.save()
    os.replace(tmp, path)
