"""What an index keeps of a passage, whichever engine holds it.

The embedded index stores these fields (``search.whoosh_index.schema``) and an OpenSearch load
writes them as the document's source (``search.opensearch.mapping``): one definition, so a report
added to either holds the same place facets and the same figures as a built or pushed one.
"""

from __future__ import annotations

from .facets import report_facets
from .figures.extraction import extract as extract_figures


def stored_fields(p, report) -> dict:
    """The stored fields of one passage (``search.documents.Passage``) of ``report``."""
    return {
        "id": p.id, "report_id": p.report_id, "county": p.county, "year": str(p.year),
        **report_facets(report.place, report.province, report.level),
        "section": p.section, "kind": p.kind, "heading": p.heading, "position": p.position,
        "para": p.para, "text": p.text, "table": p.table,
        "ocr": p.ocr,  # read from a scanned page: the site tags it, for the reader to check the original
        # Figures are found once, when a passage is written: results pages mark them from these offsets.
        "figures": extract_figures(p.text, p.kind, section=p.section, year=p.year, heading=p.heading),
    }
