"""Indonesian names made comparable for record linkage: titles off, Muhammad and old spellings folded.

Folding decisions where the rules in DOMAIN.md leave a choice (the key is for comparison only):
- Every "J" becomes "Y" after "DJ" -> "J": old "j" is new "y" and "dj" is new "j", so only
  mapping both to one letter makes Djoko, Joko (and Yoko) one key, YOKO.
- "NJ" -> "NY" and "SJ" -> "SY" are kept as rules for the record; "J" -> "Y" implies them.
- Old "dj" and "tj" can also be d or t + old "j" (Widja = Widya, Prasetjo = Prasetyo), so
  "DY" folds like "J" and "TY" like "C": Widya, Widja -> WIYA; Prasetyo, Prasetjo -> PRASECO.
- "CH" -> "KH" only: Achmad/Ahmad and Rachmat/Rahmat stay different keys (Jaro-Winkler is high).
- Doubled letters collapse after the spelling rules (Soerjo -> SURYO, Abdullah -> ABDULAH).
- Muhammad is recognised after folding, so Moch, Mochammad, Muchammad (MOKH...) are caught.
- A lone "M" is Muhammad only as the first of several words; elsewhere it is an initial.
- "Md" is Muhammad except after the Balinese article ("I Md", "Ni Md"), where it is Made.
- The Balinese article "I"/"Ni" before another word is dropped: forms often leave it off.
- "bin"/"binti" and the father's name are kept in name_clean, cut from name_core and the key.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from pulih.intake.normalize import split_name_titles

MUHAMMAD = "MUHAMMAD"

# (regex, replacement), applied in order to an upper-case core name (letters, inner apostrophes,
# single spaces). Written in the common subset of Rust regex (Polars) and Python `re`: no
# look-around, no back-references, nothing special in replacements, so fold_name and the Polars
# expression in prepare_names read the one list the same way.
NAME_FOLDS: tuple[tuple[str, str], ...] = (
    ("'", ""),  # Ma'ruf / Maruf
    ("OE", "U"),  # Soekarno / Sukarno
    ("TJ", "C"),  # Tjahjo / Cahyo
    ("DJ", "J"),  # Djoko / Joko
    ("NJ", "NY"),  # Njoman / Nyoman
    ("SJ", "SY"),  # Sjamsul / Syamsul
    ("J", "Y"),  # Soerjo / Suryo, and the "j" left by "dj"
    ("D+Y", "Y"),  # Widja is Widya or Wija: old "dj" may be d + old "j"
    ("T+Y", "C"),  # Prasetjo is Prasetyo: old "tj" may be t + old "j"
    # After the "C" that t + y makes: "TYH" folds to "KH" at once, so a key folds to itself.
    ("CH", "KH"),  # Chairul / Khairul
    *((f"{letter}{{2,}}", letter) for letter in string.ascii_uppercase),  # Muhamad / Muhammad
    ("^I MD ", "I MADE "),
    ("^NI MD ", "NI MADE "),
    (r"\b(?:M[OU]K?H?AM[AE]D|MOKH|MOH|MUH|MOHD|MUHD|MHD|MD)\b", MUHAMMAD),
    ("^(?:(?:I|NI) )+", ""),
    ("^M ", f"{MUHAMMAD} "),
)

_PATRONYMIC = r" (?P<bin>BIN|BINTI) (?P<father>.+)$"  # read by Polars and by `re`
_APOSTROPHES = "[\u2019\u2018`\u00b4\u02bc]"


def _is_literal(pattern: str) -> bool:
    return re.escape(pattern) == pattern


_PYTHON_FOLDS = tuple((re.compile(pattern), replacement) for pattern, replacement in NAME_FOLDS)


def fold_name(core: str) -> str:
    """The comparison key of an upper-case core name ("MOCH DJOKO" -> "MUHAMMAD YOKO").

    The per-value twin of the Polars folding in prepare_names, for explanations and tests.
    """
    for pattern, replacement in _PYTHON_FOLDS:
        core = pattern.sub(replacement, core)
    return core


def _fold(expr: pl.Expr) -> pl.Expr:
    for pattern, replacement in NAME_FOLDS:
        expr = expr.str.replace_all(pattern, replacement, literal=_is_literal(pattern))
    return expr


def _clean(name: pl.Expr) -> pl.Expr:
    """Upper case, accents off, only letters and inner apostrophes, single spaces; null if empty."""
    text = (
        name.str.replace_all(_APOSTROPHES, "'")
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}+", "")
        .str.to_uppercase()
        .str.replace_all(r"[^\p{L}']+", " ")
        .str.replace_all(r"\B'+|'+\B", "")  # quotes around a word, not Ma'ruf's
        .str.replace_all(" {2,}", " ")
        .str.strip_chars()
    )
    return pl.when(text != "").then(text)


def _name_columns() -> list[pl.Expr]:
    clean, core, key = pl.col("name_clean"), pl.col("name_core"), pl.col("name_key")
    tokens = key.str.split(" ")
    several = tokens.list.len() > 1
    return [
        clean,
        core,
        key,
        tokens.list.sort().list.join(" ").alias("name_key_sorted"),
        pl.when(several & (tokens.list.first() == MUHAMMAD))
        .then(tokens.list.get(1, null_on_oob=True))
        .otherwise(tokens.list.first())
        .alias("name_first"),
        pl.when(several).then(tokens.list.last()).alias("name_last"),
        tokens.list.len().cast(pl.Int32).alias("name_tokens"),
    ]


def _prepared(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Adds name_clean, name_core and name_key to a frame with the title-free "name"."""
    return (
        frame.with_columns(name_clean=_clean(pl.col("name")))
        .with_columns(name_core=pl.col("name_clean").str.replace(_PATRONYMIC, ""))
        .with_columns(name_key=_fold(pl.col("name_core")))
    )


NAME_COLUMNS = (
    "name_clean",
    "name_core",
    "name_key",
    "name_key_sorted",
    "name_first",
    "name_last",
    "name_tokens",
)


def spread_distinct(s: pl.Series, table_of: Callable[[pl.Series], pl.DataFrame]) -> pl.DataFrame:
    """Run `table_of` once per distinct value of `s` and spread its rows back over `s`, in order.

    `table_of` gets the distinct values and returns one row for each, in the same order. Rows are
    matched on a 64-bit hash of the text instead of the text (the pattern of intake's
    _on_distinct): a third of the CPU at a million rows. A hash shared by two texts (odds about
    1 in 10^7 at a million distinct values) is caught and the text join done instead.
    """
    frame = s.cast(pl.String).rename("raw").rechunk().to_frame()
    frame = frame.with_columns(hash=pl.col("raw").hash())
    distinct = frame.unique(subset="hash")
    table = table_of(distinct["raw"]).with_columns(distinct["raw"], distinct["hash"])
    joined = frame.select("hash").join(table, on="hash", how="left", maintain_order="left")
    if joined["raw"].eq_missing(frame["raw"]).all():
        return joined.drop("hash", "raw")
    values = frame["raw"].unique()
    table = table_of(values).with_columns(values)
    joined = frame.select("raw").join(
        table, on="raw", how="left", nulls_equal=True, maintain_order="left"
    )
    return joined.drop("raw")


def _name_table(distinct: pl.Series) -> pl.DataFrame:
    name, _titles = split_name_titles(distinct)
    return _prepared(pl.LazyFrame({"name": name})).select(_name_columns()).collect()


def prepare_names(s: pl.Series) -> pl.DataFrame:
    """Comparison columns for a Series of raw names, one row per input row, in order.

    name_clean ("AHMAD BIN YUSUF"), name_core ("AHMAD"), name_key (folded core), name_key_sorted
    (its words sorted), name_first (first word, past a leading MUHAMMAD), name_last (null for a
    single word) and name_tokens (word count). All null where the name is null or empty.
    """
    return spread_distinct(s, _name_table).select(NAME_COLUMNS)


# --- Explanations for a review screen ---------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    shown: str  # as written (title case, with its dot): "Moch.", "Djoko"
    clean: str
    key: str
    patronymic: bool


@dataclass(frozen=True)
class _Name:
    titles: tuple[str, ...]
    clean: str | None
    words: tuple[_Word, ...]
    bin_word: str | None  # "BIN" or "BINTI"
    article: str | None  # "I" or "NI", dropped from the key


_SHOWN_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*\.?")


_PATRONYMIC_RE = re.compile(_PATRONYMIC)


def _parse(raw: Sequence[str | None]) -> list[_Name]:
    # Titles and cleaning in Polars, folding in Python: a chain of forty regex replacements
    # costs Polars milliseconds of set-up per call, which a pair at a time cannot spread.
    name, titles = split_name_titles(pl.Series("raw", list(raw), dtype=pl.String))
    clean = name.to_frame("name").select(_clean(pl.col("name"))).to_series()
    out: list[_Name] = []
    for shown, title_text, clean_text in zip(name, titles, clean, strict=True):
        father = _PATRONYMIC_RE.search(clean_text) if clean_text else None
        core = clean_text[: father.start()] if clean_text and father else clean_text
        key = fold_name(core) if core else None
        bin_word, father_text = (father["bin"], father["father"]) if father else (None, None)
        out.append(_name_of(shown, title_text, clean_text, core, key, bin_word, father_text))
    return out


def _name_of(
    shown: str | None,
    title_text: str | None,
    clean: str | None,
    core: str | None,
    key: str | None,
    bin_word: str | None,
    father: str | None,
) -> _Name:
    titles = tuple(t for t in (title_text or "").split(", ") if t)
    if clean is None or core is None or key is None:
        return _Name(titles, None, (), None, None)
    clean_words = clean.split(" ")
    shown_words = _SHOWN_WORD.findall(shown or "")
    if len(shown_words) != len(clean_words):
        shown_words = [w.capitalize() for w in clean_words]
    core_words, key_words = core.split(" "), key.split(" ")
    father_shown = shown_words[len(core_words) + 1 :]
    # Folding drops only one word, a leading Balinese article; the other words pair up in order.
    article = None
    if len(core_words) == len(key_words) + 1:
        article = core_words[0]
        core_words, shown_words = core_words[1:], shown_words[1:]
    elif len(core_words) != len(key_words):  # no rule does this today; stay safe if one does
        key_words = [fold_name(w) for w in core_words]
    words = [_Word(shown_words[i], w, key_words[i], False) for i, w in enumerate(core_words)]
    if father is not None:
        words += [
            _Word(father_shown[i], w, fold_name(w), True) for i, w in enumerate(father.split(" "))
        ]
    return _Name(titles, clean, tuple(words), bin_word, article)


def _collapse(text: str) -> str:
    return re.sub(r"(.)\1+", r"\1", text)


def _edits(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions (optimal string alignment)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _is_typo(a: _Word, b: _Word) -> bool:
    distance = _edits(a.key, b.key)
    return distance <= 2 and distance * 3 <= max(len(a.key), len(b.key))


def _is_initial(a: _Word, b: _Word) -> bool:
    short, long = sorted((a, b), key=lambda w: len(w.clean))
    return len(short.clean) == 1 and len(long.clean) > 1 and long.clean[0] == short.clean


def _same_word_reason(a: _Word, b: _Word) -> str:
    pair = f"{a.shown}/{b.shown}"
    if a.key == MUHAMMAD:
        return f"variasi Muhammad ({pair})"
    if a.clean.replace("'", "") == b.clean.replace("'", ""):
        return f"tanda petik ({pair})"
    if _collapse(a.clean) == _collapse(b.clean):
        return f"huruf ganda ({pair})"
    return f"ejaan lama ({pair})"


def _explain(a: _Name, b: _Name) -> list[str]:
    reasons: list[str] = []
    differing_titles = [t for t in a.titles if t not in b.titles]
    differing_titles += [t for t in b.titles if t not in a.titles]
    if differing_titles:
        reasons.append(f"gelar berbeda ({', '.join(differing_titles)})")
    if a.clean is None or b.clean is None or a.clean == b.clean:
        return reasons
    # Greedy matching, most certain kind first, so a typo never steals an exact partner.
    partner: dict[int, int] = {}
    for same, reason_of in (
        (lambda x, y: x.clean == y.clean, None),
        (lambda x, y: x.key == y.key, _same_word_reason),
        (_is_initial, lambda x, y: f"inisial ({x.shown}/{y.shown})"),
        (_is_typo, lambda x, y: "salah ketik"),
    ):
        for i, word_a in enumerate(a.words):
            if i in partner:
                continue
            for j, word_b in enumerate(b.words):
                if j in partner.values():
                    continue
                if same(word_a, word_b):
                    partner[i] = j
                    if reason_of is not None:
                        reasons.append(reason_of(word_a, word_b))
                    break
    if not partner:
        return []
    order = [partner[i] for i in sorted(partner)]
    if order != sorted(order):
        reasons.append("urutan nama tertukar")
    left_a = [w for i, w in enumerate(a.words) if i not in partner]
    left_b = [w for j, w in enumerate(b.words) if j not in partner.values()]
    if a.bin_word != b.bin_word or any(w.patronymic for w in left_a + left_b):
        reasons.append("bin/binti")
    if (a.article is None) != (b.article is None):
        reasons.append("sebutan I/Ni")
    if any(w.key == MUHAMMAD for w in left_a + left_b):
        reasons.append("Muhammad tidak ditulis")
    rest_a = [w for w in left_a if not w.patronymic and w.key != MUHAMMAD]
    rest_b = [w for w in left_b if not w.patronymic and w.key != MUHAMMAD]
    if bool(rest_a) != bool(rest_b):
        shorter = a if not rest_a else b
        given = [w for w in shorter.words if not w.patronymic and w.key != MUHAMMAD]
        reasons.append("nama tunggal vs nama lengkap" if len(given) == 1 else "nama tidak lengkap")
    return list(dict.fromkeys(reasons))


def explain_name_pairs(pairs: Sequence[tuple[str, str]]) -> list[list[str]]:
    """explain_name_pair for many pairs: about 0.2 ms a pair, against 6 ms one at a time."""
    names = _parse([name for pair in pairs for name in pair])
    return [_explain(names[2 * i], names[2 * i + 1]) for i in range(len(pairs))]


def explain_name_pair(a: str, b: str) -> list[str]:
    """Why two raw names may be one name written differently, in Indonesian, for a reviewer.

    ["ejaan lama (Djoko/Joko)"], ["variasi Muhammad (Moch./Muhammad)"], ["gelar berbeda (H.,
    S.E.)"], ["urutan nama tertukar"], ["bin/binti"], ["nama tunggal vs nama lengkap"],
    ["salah ketik"], and "huruf ganda", "tanda petik", "inisial", "sebutan I/Ni", "Muhammad
    tidak ditulis", "nama tidak lengkap". [] when the names are the same after cleaning or share
    no word; a difference it cannot explain adds no reason. For a list of pairs, call
    explain_name_pairs: one Polars pass for all of them.
    """
    return explain_name_pairs([(a, b)])[0]
