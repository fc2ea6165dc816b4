"""A query compiled once: what every later stage needs, derived from the typed text in one place.

``search.query.parse`` reads the syntax into AND groups of OR'ed terms; ``compile_term`` turns each
typed term into a ``Term`` that carries, for itself and for each of its synonyms, a ``Searched``:
the folded text, its bigram tokens, the single run a whole-word match would need, its tokens on
the joined stream when marks inside a name may separate it, and the bigrams a near match needs.
A term also knows the figure it states and the year it names. ``QueryPlan`` adds what the whole
query needs: the needles to mark (all together and per group), the near needles, the expansions
shown as "also searched", the adjacency phrase (terms typed apart that may stand together) and
a key for caches.

Evaluating (any backend), ranking, highlighting, suggesting and comparing read the plan: none of
them folds or tokenizes the query text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from ..text.joined import LooseNeedle, joined_list, widening
from ..text.streams import gram_list, single_run
from .figure_terms import FigureTerm, parse_figure
from .near import NearNeedle, near_grams

YEAR_TERM_RE = re.compile(r"^((?:19|20)\d{2})年?$")


@dataclass(frozen=True)
class Searched:
    """One string a query searches for (a typed term or one of its synonyms), analysed once."""

    text: str  # as typed, or as the synonym list writes it
    folded: str
    grams: tuple[str, ...]  # on the bigram stream
    run: str | None  # the one Latin/number or Chinese run it is, which may be a whole word; else None
    joined: tuple[str, ...] | None  # on the joined stream, when it widens through marks (search.text.joined)
    near: tuple[str, ...] | None  # the bigrams it is nearly matched by (search.query.near), or None

    @staticmethod
    def of(text: str, folded: str) -> "Searched":
        """``text`` analysed from its folded form (folded once, by the parser)."""
        joined = joined_list(folded)
        return Searched(text, folded, tuple(gram_list(folded)), single_run(folded),
                        tuple(joined) if widening(joined) else None, near_grams(folded))

    def needle(self, quoted: bool) -> str:
        """The folded text to mark; an unquoted one also where it matched through marks."""
        return self.folded if quoted or self.joined is None else LooseNeedle(self.folded)


@dataclass
class Term:
    text: str  # as typed (without quotes or minus)
    phrase: bool = False  # quoted: literal, no synonyms
    negated: bool = False
    synonyms: list[str] = field(default_factory=list)
    # Compiled by compile_term; not part of what the term *is* (its repr is the cache key).
    own: Searched | None = field(default=None, repr=False, compare=False)
    alternatives: tuple[Searched, ...] = field(default=(), repr=False, compare=False)  # the synonyms
    figure: FigureTerm | None = field(default=None, repr=False, compare=False)  # unquoted figure terms
    year: str | None = field(default=None, repr=False, compare=False)  # an unquoted year (2022, 2022年)

    @property
    def searched(self) -> tuple[Searched, ...]:
        """The term and its synonyms."""
        return (self.own, *self.alternatives)


def compile_term(text: str, folded: str, phrase: bool, negated: bool, synonyms: list[tuple[str, str]]) -> Term:
    """A typed term with everything the stages after parsing need. ``folded`` is its folded text,
    ``synonyms`` the (synonym, folded synonym) it also searches."""
    own = Searched.of(text, folded)
    year = None if phrase else YEAR_TERM_RE.match(text)
    return Term(text, phrase, negated, [s for s, _ in synonyms], own=own,
                alternatives=tuple(Searched.of(s, f) for s, f in synonyms),
                figure=None if phrase else parse_figure(own.folded), year=year.group(1) if year else None)


@dataclass
class QueryPlan:
    raw: str
    groups: list[list[Term]]  # AND of groups, each group an OR of terms
    excluded: list[Term]

    @property
    def is_empty(self) -> bool:
        return not self.groups

    @cached_property
    def key(self) -> str:
        """A canonical form: equal for queries that search the same thing."""
        return repr((self.groups, self.excluded))

    @cached_property
    def needles(self) -> list[str]:
        """Folded strings to mark in results: every positive term and the synonyms searched."""
        out = []
        for group in self.groups:
            for term in group:
                out.append(term.own.needle(term.phrase))
                out.extend(term.figure.needles if term.figure else ())
                out.extend(s.needle(False) for s in term.alternatives)
        return [n for n in out if n.strip()]

    @cached_property
    def group_needles(self) -> list[list[str]]:
        """Per AND-group, the folded strings that satisfy it in the text (years excluded: they
        also match through the section's year, so their absence from the text says nothing)."""
        out = []
        for group in self.groups:
            if any(t.year for t in group):
                continue
            needles = [s.needle(t.phrase and s is t.own) for t in group for s in t.searched]
            needles += [n for t in group if t.figure for n in t.figure.needles]
            out.append([n for n in needles if n.strip()])
        return out

    @cached_property
    def near_needles(self) -> list[NearNeedle]:
        """What to mark in a near match: each unquoted term (and synonym) that can be nearly matched."""
        return [NearNeedle(s.folded, s.near) for group in self.groups for t in group if not t.phrase
                for s in t.searched if s.near is not None]

    @cached_property
    def folded_terms(self) -> list[str]:
        """Every positive term and synonym, folded (what names an indicator in a passage)."""
        return [s.folded for group in self.groups for t in group for s in t.searched]

    @cached_property
    def expansions(self) -> dict[str, list[str]]:
        return {t.text: t.synonyms for g in self.groups for t in g if t.synonyms}

    @cached_property
    def adjacent(self) -> Searched | None:
        """Terms typed apart that may stand together in the text (抽水 蓄能 电站 → 抽水蓄能电站): a
        phrase match of them outranks the same terms scattered over a sentence."""
        if len(self.groups) > 1 and all(len(g) == 1 for g in self.groups):
            return Searched.of("".join(g[0].text for g in self.groups), "".join(g[0].own.folded for g in self.groups))
        return None
