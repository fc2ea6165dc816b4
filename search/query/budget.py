"""What evaluating a query costs: ``Work``, counted in postings read, and the budget it may spend.

Every evaluation (``search.scoring.evaluate``) counts what it does: postings lists opened, bigrams a single
character expands to, postings read, phrase positions checked (a figure term's too, one document and
token at a time), stored passages read. Each counts what it costs in CPU as so many postings. At 200x
the seeds, cold, a query that spends a large budget takes 0.3-0.6 µs of CPU per unit; a figure's
check of one document and token about 1.1-1.5 µs, two units (``bench/costly_queries.py``). A query
may spend its budget; work that would pass it is refused before it is done (``Exhausted``), which
the evaluator turns into ``QueryTooBroad``.

Work is counted the same whether postings or terms were cached or read from disk, so a query is
answered or refused the same way every time. ``metered()`` adds up the work really done inside a
block (the web app charges a client's rate limit with it).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from .. import settings

LOOKUP_COST = 100  # opening a term's postings list
EXPANSION_COST = 45  # a bigram of a single character's expansion, per segment (document numbers only)
POSITION_COST = 2  # decoding one document's positions of one token, to check a phrase
FIGURE_CHECK_COST = 1  # a figure term's check of one document and token, in phrase position checks
STORED_COST = 30  # reading one passage's stored fields
BLOCK = 128  # postings in a block of Whoosh's W3 codec (the most a block holds)


def query_budget(passages: int) -> int:
    """The work one query may do on an index of ``passages``: ``max_query_work``, and
    ``query_work_per_passage`` more for each passage (a common word's postings grow with the index)."""
    return settings.get("max_query_work") + int(settings.get("query_work_per_passage") * passages)


class Exhausted(Exception):
    """The work budget ran out (the caller decides what that means: an error, fewer suggestions)."""


_active_meters: ContextVar[tuple] = ContextVar("policy_search_work_meters", default=())


@dataclass
class Work:
    """What evaluating queries did, and at most how much they may do (``limit``, in cost units).

    Work about to be done is ``reserve``d: refused, and not done, when it would pass the limit. The
    term index says how long a postings list is before it is read (a punctuation mark's holds
    nearly every passage), so that is reserved too; only what cannot be known beforehand is
    ``charge``d after it was done. A cached term's work is ``replay``ed against the limit."""

    limit: int | None = None
    lookups: int = 0  # postings lists opened
    expansions: int = 0  # bigrams single characters expanded to (per index segment holding them)
    postings: int = 0  # document numbers read from postings lists
    positions: int = 0  # position lists decoded to check phrases (documents × tokens)
    stored: int = 0  # passages whose stored text was read to check a phrase
    meters: tuple = field(default_factory=_active_meters.get, repr=False, compare=False)  # metered() blocks
    # What this work already paid for: a list used twice in one query (a term, then the same
    # bigrams in the adjacent-terms phrase) is read once and kept at hand.
    paid: set = field(default_factory=set, repr=False, compare=False)

    @property
    def cost(self) -> int:
        return (self.lookups * LOOKUP_COST + self.expansions * EXPANSION_COST + self.postings
                + self.positions * POSITION_COST + self.stored * STORED_COST)

    def reserve(self, lookups: int = 0, expansions: int = 0, postings: int = 0, positions: int = 0,
                stored: int = 0, done: bool = True) -> None:
        """Count work, or raise ``Exhausted`` (counting nothing) when it would pass the limit.
        ``done=False``: work that counts against the limit but was not really done again (a
        cached term's), which ``metered()`` blocks do not see."""
        self.check(lookups=lookups, expansions=expansions, postings=postings, positions=positions, stored=stored)
        self._add(done, lookups=lookups, expansions=expansions, postings=postings, positions=positions,
                  stored=stored)

    def check(self, lookups: int = 0, expansions: int = 0, postings: int = 0, positions: int = 0,
              stored: int = 0) -> None:
        """Raise ``Exhausted`` if this work would pass the limit; count nothing."""
        extra = (lookups * LOOKUP_COST + expansions * EXPANSION_COST + postings + positions * POSITION_COST
                 + stored * STORED_COST)
        if self.limit is not None and self.cost + extra > self.limit:
            raise Exhausted

    def once(self, key, done: bool = True, **work: int) -> None:
        """Reserve ``work`` unless ``key`` was already paid for."""
        if key not in self.paid:
            self.reserve(done=done, **work)
            self.paid.add(key)

    def charge(self, postings: int) -> None:
        """Count postings already read, then raise ``Exhausted`` if that passed the limit."""
        self._add(True, postings=postings)
        if self.limit is not None and self.cost > self.limit:
            raise Exhausted

    def counts(self) -> tuple[int, ...]:
        return self.lookups, self.expansions, self.postings, self.positions, self.stored

    def replay(self, spent: tuple[int, ...]) -> None:
        """Count what a cached evaluation spent (``counts``), refused the same way when over the limit."""
        lookups, expansions, postings, positions, stored = spent
        self.reserve(lookups=lookups, expansions=expansions, postings=postings, positions=positions, stored=stored,
                     done=False)

    def _add(self, done: bool, **counts: int) -> None:
        for work in (self, *self.meters) if done else (self,):
            for name, n in counts.items():
                setattr(work, name, getattr(work, name) + n)


@contextmanager
def metered():
    """A ``Work`` that adds up the work really done inside the block (in this thread or task)."""
    total = Work(meters=())
    reset = _active_meters.set((*_active_meters.get(), total))
    try:
        yield total
    finally:
        _active_meters.reset(reset)
