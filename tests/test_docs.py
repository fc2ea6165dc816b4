"""The documentation keeps up: the README's commands are the ones CI runs, settings are explained."""

from __future__ import annotations

import re

import pytest

from search.settings import SETTINGS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").glob("*.md"))
QUICK_START = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
COMMANDS = [line.strip() for line in QUICK_START.splitlines() if line.startswith("    ")]


def test_quick_start_has_exactly_two_commands():
    assert len(COMMANDS) == 2
    assert COMMANDS[0].endswith("policy-search serve")
    assert "pytest" in COMMANDS[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert COMMANDS[1] in ci.splitlines()


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_explains_itself(name):
    setting = SETTINGS[name]
    assert len(setting.help) > 20 and setting.help[0].isupper()


def test_readme_names_every_cli_command():
    from search.cli import cli

    for command in cli.commands:
        assert re.search(rf"policy-search {command}\b", README), command


def test_readme_documents_every_field_of_the_targets_ledger():
    from search.figures.ledger import QUALIFIERS, RULES
    from search.figures.ledger_columns import FIELDS

    targets = (ROOT / "docs" / "targets.md").read_text(encoding="utf-8")
    ledger = targets.split("## The targets ledger", 1)[1].split("\n## ", 1)[0]
    for name in (*FIELDS, *RULES, *QUALIFIERS):
        assert f"`{name}`" in ledger, name


def _error_codes() -> set[str]:
    """Every ``code`` an error answer of the site can carry."""
    from search import errors
    from search.facets import UNKNOWN_VALUE_CODES
    from webui.gunicorn_worker import TIMEOUT_CODE
    from webui.site.errors import BRIEFING_CODES, HTTP_CODES
    from webui.site.sessions import FormExpired

    kinds = [kind for kind in vars(errors).values() if isinstance(kind, type) and issubclass(kind, errors.UserError)]
    codes = {kind.code for kind in kinds} - {"bad_report", "build_failed"}  # the command line's, never the site's
    return (codes | set(UNKNOWN_VALUE_CODES.values()) | set(BRIEFING_CODES.values()) | set(HTTP_CODES.values())
            | {FormExpired.error_code, TIMEOUT_CODE})


@pytest.mark.parametrize("code", sorted(_error_codes()))
def test_readme_lists_every_error_code(code):
    listed = README.split("and does not change with the wording:", 1)[1].split("Pages send", 1)[0]
    assert f"`{code}`" in listed


def _anchors(markdown: str) -> set[str]:
    """The fragment ids GitHub gives a page's headings: lower case, punctuation dropped, spaces as -."""
    headings = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", markdown, flags=re.S), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("page", [ROOT / "README.md", *DOCS], ids=lambda p: p.name)
def test_every_relative_link_resolves(page):
    """A moved section leaves no dead link: each relative link names a file that is there and, with a
    #fragment, a heading of that file."""
    text = page.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    assert links or page.name != "README.md"
    for link in links:
        if re.match(r"[a-z]+:", link):  # https:, mailto: — not ours to check here
            continue
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{page.name}: {link} names no file"
        if fragment:
            assert fragment in _anchors(target.read_text(encoding="utf-8")), f"{page.name}: {link} names no heading"


def test_readme_links_every_page_of_docs():
    assert DOCS
    for page in DOCS:
        assert f"](docs/{page.name})" in README, page.name
