"""The English catalogue is complete, compiled, and actually used.

The UI's source strings are Indonesian (LANGUAGE_CODE "id"); English comes from
locale/en/LC_MESSAGES/django.po. These tests catch three ways that goes wrong: untranslated
or fuzzy entries left in the .po, a .mo that was not recompiled after the .po changed, and
the language switch not reaching pages or lazily translated error messages.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext, npgettext, override, pgettext

from pulih.registry.error_codes import RegistryError, RegistryErrorCode

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")


@dataclass
class Entry:
    line: int
    msgid: str | None = None
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def translations(self) -> list[str]:
        if self.msgid_plural is None:
            return [self.msgstr]
        return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)] or [""]


def _po_parse(text: str) -> list[Entry]:
    """A minimal .po reader for what makemessages writes: entries separated by blank lines."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target = ""  # the keyword that continuation lines ("...") belong to
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry = None
            continue
        if line.startswith("#~"):  # obsolete entries are not part of the catalogue
            continue
        if entry is None:
            entry = Entry(line=lineno)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            _po_append(entry, target, ast.literal_eval(line))
        else:
            target, _, value = line.partition(" ")
            if target.startswith("msgstr["):
                entry.msgstr_plural[int(target[7:-1])] = ""
            elif target != "msgstr":
                setattr(entry, target, "")
            _po_append(entry, target, ast.literal_eval(value))
    return [e for e in entries if e.msgid is not None]


def _po_append(entry: Entry, target: str, text: str) -> None:
    if target.startswith("msgstr["):
        entry.msgstr_plural[int(target[7:-1])] += text
    else:
        setattr(entry, target, getattr(entry, target) + text)


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    entries = _po_parse(PO_PATH.read_text(encoding="utf-8"))
    assert entries and entries[0].msgid == "", "the catalogue should start with its header"
    return entries


@pytest.fixture(scope="module")
def messages(catalogue: list[Entry]) -> list[Entry]:
    return [e for e in catalogue if e.msgid != ""]


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # A client request leaves its language active in this thread; start and end from the default.
    translation.deactivate()
    yield
    translation.deactivate()


def _english(messages: list[Entry], msgid: str) -> str:
    return next(e.msgstr for e in messages if e.msgid == msgid and e.msgctxt is None)


# (a) The catalogue is complete and the compiled .mo matches it.


def test_header_declares_english_and_its_plural_rule(catalogue: list[Entry]) -> None:
    header = catalogue[0].msgstr
    assert "Language: en\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header
    assert "fuzzy" not in catalogue[0].flags


def test_every_entry_is_translated_and_not_fuzzy(messages: list[Entry]) -> None:
    assert len(messages) > 100, "parsed suspiciously few entries; is the parser broken?"
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in messages if "fuzzy" in e.flags]
    untranslated = [f"line {e.line}: {e.msgid!r}" for e in messages if not all(e.translations)]
    assert not fuzzy, "fuzzy entries in the English catalogue:\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    wrong_plurals = [e.msgid for e in messages if e.msgid_plural and len(e.msgstr_plural) != 2]
    assert not wrong_plurals, f"English plurals need msgstr[0] and msgstr[1]: {wrong_plurals}"


def test_translations_keep_the_placeholders(messages: list[Entry]) -> None:
    mismatched = []
    for e in messages:
        wanted = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural or ""))
        for text in e.translations:
            if set(PLACEHOLDER.findall(text)) != wanted:
                mismatched.append(f"line {e.line}: {e.msgid!r} -> {text!r}")
    assert not mismatched, "placeholders differ:\n" + "\n".join(mismatched)


def test_msgfmt_reports_nothing_untranslated_or_fuzzy() -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip(
            "GNU msgfmt is not installed (apt-get install gettext); the .po parser test covers completeness"
        )
    result = subprocess.run(  # noqa: S603 - fixed program and arguments
        [msgfmt, "--check", "--statistics", "-o", "/dev/null", str(PO_PATH)],
        capture_output=True,
        text=True,
        check=False,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "untranslated" not in report and "fuzzy" not in report, report


def test_compiled_catalogue_matches_the_po(messages: list[Entry]) -> None:
    # gettext reads the .mo, so any difference here means compilemessages was not re-run.
    stale = []
    with override("en"):
        for e in messages:
            if e.msgid_plural is None:
                got = [gettext(e.msgid) if e.msgctxt is None else pgettext(e.msgctxt, e.msgid)]
            elif e.msgctxt is None:
                got = [ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            else:
                got = [npgettext(e.msgctxt, e.msgid, e.msgid_plural, n) for n in (1, 2)]
            if got != e.translations:
                stale.append(f"{e.msgid!r}: .po has {e.translations!r}, .mo gives {got!r}")
    assert not stale, "the .mo is stale; run `pulih compilemessages`:\n" + "\n".join(stale[:20])


# (b) Pages follow the language chosen with the switcher.


@pytest.mark.django_db
def test_sign_in_page_switches_from_indonesian_to_english(
    client: Client, messages: list[Entry]
) -> None:
    sign_in = _english(messages, "Masuk")
    assert sign_in != "Masuk"

    page = client.get("/masuk/").content.decode()
    assert '<html lang="id"' in page
    assert "<h1>Masuk</h1>" in page
    assert sign_in not in page

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert switched.status_code == 302
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = client.get("/masuk/").content.decode()
    assert '<html lang="en"' in page
    assert f"<h1>{sign_in}</h1>" in page
    assert "Masuk" not in page


# (c) Lazily translated error messages follow the language active where they are shown.


def test_registry_error_message_follows_the_active_language(messages: list[Entry]) -> None:
    assert settings.LANGUAGE_CODE == "id"
    error = RegistryError(RegistryErrorCode.NIK_WRONG_LENGTH, length=12)

    assert error.message == "NIK harus 16 digit angka; yang diisi 12 digit."
    with override("en"):
        english = error.message
    template = _english(messages, "NIK harus 16 digit angka; yang diisi %(length)s digit.")
    assert english == template % {"length": 12}
    assert english != "NIK harus 16 digit angka; yang diisi 12 digit."
    # Built once, shown twice: the language is chosen when the message is read.
    assert error.message == "NIK harus 16 digit angka; yang diisi 12 digit."
