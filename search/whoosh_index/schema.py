"""The index's fields. Changing them, like changing the analyzers, needs a rebuild."""

from __future__ import annotations

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema

from .analyzers import GramAnalyzer, JoinedAnalyzer, WordAnalyzer
from ..stored_fields import stored_fields

# Bump when fields change, or when an analyzer class moves (the schema pickles its import path);
# stored in the index's metadata next to the analyzer version.
SCHEMA_VERSION = "8"  # 8: ocr


def make_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        report_id=ID(stored=True),
        county=ID(stored=True),  # the place's short name, for display and old clients
        # Facets: the issuing government (qualified full name, unique nationwide), its province and
        # its level of government.
        place=ID(stored=True),
        province=ID(stored=True),
        level=ID(stored=True),
        year=ID(stored=True),
        section=ID(stored=True),
        kind=ID(stored=True),
        heading=STORED(),
        position=STORED(),
        # Reading order across the whole index (report sequence, then position). Docnums are not
        # reading order once several writer processes each write a segment.
        order=COLUMN(NumericColumn("Q")),
        para=STORED(),
        text=STORED(),
        table=STORED(),
        ocr=STORED(),  # True for a passage read by OCR from a scanned page (may hold misread characters)
        # Figures are found once, at build time: results pages mark them from these offsets.
        figures=STORED(),
        # Words only earn a whole-word bonus (a single term), so they need no positions: less to
        # write at build time. Phrases are matched on the bigram stream.
        words=TEXT(analyzer=WordAnalyzer(), phrase=False),
        grams=TEXT(analyzer=GramAnalyzer(), phrase=True),
        # Bigrams across the marks inside a name (“零碳”供电所), for unquoted terms: search.text.joined.
        joined=TEXT(analyzer=JoinedAnalyzer(), phrase=True),
    )


ORDER_STRIDE = 1_000_000  # positions per report in the order column


def passage_fields(p, sequence: int, report) -> dict:
    """What the writer receives for one passage (``search.documents.Passage``) of ``report``, the
    ``sequence``-th report: the stored fields, its place in reading order, and its text for each
    token stream."""
    return {"order": sequence * ORDER_STRIDE + p.position, **stored_fields(p, report),
            "words": p.text, "grams": p.text, "joined": p.text}
