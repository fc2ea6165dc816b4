"""Every tunable of the engine, declared once with its default and why it has that value.

The CLI's options and the web app's config read their defaults from here; nothing else hard-codes
these numbers. Environment variables named ``POLICY_SEARCH_<NAME>`` override a setting, which is how
tests and deployments point the engine somewhere else without code changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def value(self):
        raw = os.environ.get(f"POLICY_SEARCH_{self.name.upper()}")
        if raw is None:
            return self.default
        return type(self.default)(raw) if not isinstance(self.default, Path) else Path(raw)


SETTINGS = {
    s.name: s
    for s in [
        Setting("index_dir", PROJECT_ROOT / "index", "Where the built index lives (never committed)."),
        Setting("backend", "whoosh",
                "Which backend serves searches: whoosh (the embedded index in index_dir, the default on one "
                "machine) or opensearch (a cluster at opensearch_url, loaded with policy-search push)."),
        Setting("opensearch_url", "http://127.0.0.1:9200",
                "The OpenSearch cluster the opensearch backend and push use (several URLs: comma-separated)."),
        Setting("opensearch_alias", "policy-passages",
                "The alias searched and moved by push; each push writes a new index behind it."),
        Setting("opensearch_username", "", "User name for HTTP basic auth on a managed cluster (empty: none)."),
        Setting("opensearch_password", "", "Password for HTTP basic auth; set it through the environment only."),
        Setting("opensearch_api_key", "",
                "An API key (id:key, or its base64 form) sent as 'Authorization: ApiKey'; instead of basic auth."),
        Setting("opensearch_verify_tls", 1,
                "Whether TLS certificates of an https cluster are verified (1) or not (0, only for a test cluster)."),
        Setting("opensearch_ca_file", "", "A CA bundle for the cluster's certificate (empty: the system's)."),
        Setting("opensearch_timeout", 10, "Seconds a request to the cluster may take before the page says 503."),
        Setting("source_dir", PROJECT_ROOT / "seeds", "Folder of .txt reports that `build` reads."),
        Setting(
            "cache_dir",
            Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "policy-search",
            "Where jieba's prefix-dictionary cache goes, instead of the system temp folder.",
        ),
        Setting("places_file", DATA_DIR / "places_extra.tsv",
                "Extra names for places (old names such as 梁平县) and places the national list lacks; "
                "copy the shipped file to extend it."),
        Setting("max_query_chars", 200, "Longest query accepted; longer ones get a clear error."),
        Setting("max_query_terms", 16, "Most terms in one query; each term costs a phrase lookup."),
        Setting("max_query_work", 15_000,
                "Work one query may do on any index, in postings read (opening a postings list counts 100, each "
                "bigram a single character expands to 45, a phrase's position check 2, a stored passage read 30: "
                "search/query/budget.py); a query that needs more is refused as too broad. With "
                "query_work_per_passage, any query stays under 50 ms of CPU on the seeds."),
        Setting("query_work_per_passage", 1.0,
                "More work a query may do per passage in the index, since common words' postings grow with it. "
                "Five figures near words (提高6% 完成5.5% 增长7% 提高1.9% 3个百分点) need about 0.95 per passage at 200x "
                "the seeds, counting each figure's position checks; a query that uses its whole budget there takes "
                "at most about 0.6 µs of CPU per unit (bench/costly_queries.py), so about 0.3 s at 200x."),
        Setting("per_page", 10, "Hits per page when the caller does not say."),
        Setting("max_per_page", 50, "Largest page a caller may ask for."),
        Setting("max_page", 1000, "Deepest page a caller may ask for; deeper is never useful."),
        Setting("word_boost", 2.0, "Weight of whole-word matches over sub-word (character bigram) matches."),
        Setting("synonym_boost", 0.8, "Weight of a synonym's match relative to the typed term."),
        Setting("adjacent_boost", 3.0, "Weight of a multi-term query's terms found side by side, as one phrase."),
        Setting("year_boost", 0.3, "Weight of a query year matching the year a section speaks about."),
        Setting("bm25_b", 0.1, "BM25 length normalization. Passages are single sentences already: at 0.75 long headline sentences were buried (dev eval 18/19); 0.1 breaks ties for shorter sentences (dev MRR 0.904 at 0, 0.939 at 0.1; own 0.778 → 0.814)."),
        Setting("bm25_k1", 1.2, "BM25 term-frequency saturation."),
        Setting("rescore_pool", 500,
                "Candidates per tier the opensearch backend scores as the Whoosh index does before a first "
                "page is reranked (search/opensearch/candidates.py); 0 keeps the cluster's BM25 order. On the "
                "shared corpus (259 first pages) 300 left 2 pages different from Whoosh's, 500 none; the cost per "
                "cold query is in bench/RESULTS.md."),
        Setting("build_procs", 0, "Processes that write the index (0: one per core)."),
        Setting("build_batch_passages", 500_000,
                "Passages a build reads and writes at a time (0: all at once): what it holds in memory is one "
                "batch, not the collection, and each batch adds a segment per writer process. A build of 4 "
                "million passages held at once went past 20 GB on a 24 GB machine; see bench/RESULTS.md."),
        Setting("parallel_build_min", 1000,
                "Fewest passages worth several writer processes; below it, starting them costs more (the seeds' 2,204 build in 1.4 s with two, 1.8 s with one)."),
        Setting("facet_limit", 30, "Most values listed per facet (the largest, plus any ticked ones)."),
        Setting("cache_mb", 64, "Memory for cached matches and rankings of recent queries (per engine)."),
        Setting("page_cache_mb", 32, "Memory for rendered results pages (per server process); each browser's own "
                "briefing list, form token and notices are filled in per request."),
        Setting("rate_limit_loopback", 0,
                "Whether clients on this machine (loopback addresses) are rate-limited like any other (1) or "
                "exempt (0, the default), so that a local user's scripts are never throttled. The web app's "
                "config RATE_LIMIT_LOOPBACK wins."),
        Setting("targets_rule", "strict",
                "How the targets ledger judges a result against its target when the user does not say: strict, "
                "tolerance (a 左右 target is met within targets_tolerance points) or midpoint (a range against its "
                "midpoint). The government itself counted 7.4% as meeting 7.5%左右 (2014)."),
        Setting("targets_tolerance", 0.5,
                "Points within which a 左右 target counts as met under the tolerance rule (the finance minister "
                "called 7.2-7.3% \"about 7.5%\" in 2014)."),
        Setting("max_report_bytes", 20 * 1024 * 1024, "Largest report file read; bigger ones are refused."),
        Setting("admin_token", "",
                "The token a maintainer signs in with on the site's /admin pages to add reports; empty (the "
                "default): the pages do not exist (404). Set it through the environment only, never on a "
                "command line that other users of the machine can list."),
        Setting("max_upload_mb", 50,
                "Largest upload on the admin pages, in MB, all files of one form together (each file is still "
                "at most max_report_bytes); a bigger one gets 413 before it is read."),
        Setting("export_cache_mb", 32, "Memory for finished briefing exports (Word, Markdown), kept per briefing "
                "version: a full briefing's Word file is about 100 KB, its Markdown about 3 MB."),
        Setting("max_concurrent_exports", 2, "Briefing exports made at once on this machine, over all the site's "
                "worker processes (a full one costs most of a second of CPU); one more at that moment gets 503 "
                "with Retry-After, so searches stay fast."),
        # What reading one report file may cost (search/reading/limits.py). The largest real files we have
        # (/work/shared/corpus, 165 files) set the scale: 1.5 MB on disk, a .docx expanding to 0.47 MB, a PDF
        # of 230 pages whose compressed streams expand to 13 MB in all and 0.73 MB at most each, 1,694
        # characters on a page, 122,781 characters and 4,899 passages in a report.
        Setting("max_unzipped_bytes", 64 * 1024 * 1024,
                "Most bytes a report's compressed parts may expand to in all: a .docx's zip members, a PDF's "
                "Flate streams other than images (the largest real: 13 MB, a 220-page budget PDF); more is "
                "refused as a decompression bomb, counted while inflating."),
        Setting("max_part_bytes", 16 * 1024 * 1024,
                "Most bytes one part may expand to: a .docx's XML member, a PDF's content or font stream (the "
                "largest real: 0.73 MB). The reader's memory grows with the largest part (Word XML about 13 "
                "times its size)."),
        Setting("max_pdf_pages", 3000, "Most pages a PDF may have (the largest real report: 230)."),
        Setting("max_page_chars", 50_000,
                "Most characters on one PDF page (the densest real page: 1,694; a full page of 6 pt type is "
                "about 10,000)."),
        Setting("max_report_chars", 3_000_000,
                "Most characters of text read from one report (the largest real: 122,781)."),
        Setting("max_report_passages", 100_000,
                "Most passages one report may make (the largest real: 4,899)."),
        Setting("read_timeout", 60,
                "Seconds one file may take to read when read in a worker process (read_report_isolated); the "
                "slowest real file takes 0.4 s. A file that takes longer is refused and its worker replaced."),
        Setting("read_memory_mb", 1024,
                "Address space, in MB, of a worker process reading one file (read_report_isolated): a file that "
                "needs more is refused instead of taking the machine's memory. A worker peaks at 65 MB on the "
                "largest real file; the costliest file the other limits let through (a PDF page stream just "
                "under max_part_bytes) at about 400 MB."),
    ]
}


def get(name: str):
    return SETTINGS[name].value
