"""The message catalogs (bot/locale): every message in every language with the same
placeholders, every key the code asks for present, the template in sync, officials addressed
as "đồng chí"."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import read_po

from bot.i18n import DOMAIN, LOCALE_DIR, SOURCE_LANGUAGE, Catalog, catalog_path
from bot.i18n_template import extract_source_catalog

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "scheduler", "config")
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
LANGUAGES = sorted(p.name for p in LOCALE_DIR.iterdir() if catalog_path(p.name).is_file())
OTHER_LANGUAGES = [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE]
Key = tuple[str, str]


def load(path: Path) -> PoCatalog:
    with path.open("rb") as po_file:
        return read_po(po_file, domain=DOMAIN)


def texts(lang: str) -> dict[Key, str]:
    """(context, id) → text of every message of ``lang``, untranslated ones as ''."""
    return {
        (m.context or "", str(m.id)): "" if m.fuzzy else str(m.string)
        for m in load(catalog_path(lang))
        if m.id
    }


def placeholders(template: str) -> set[str]:
    fields = (field for _, field, _, _ in string.Formatter().parse(template) if field is not None)
    return {re.split(r"[.\[]", field, maxsplit=1)[0] for field in fields}


def test_vietnamese_and_english_are_there() -> None:
    assert {"vi", "en"} <= set(LANGUAGES)
    assert len(texts("vi")) > 300


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_message_is_in_both_languages(lang: str) -> None:
    source, translated = texts(SOURCE_LANGUAGE), texts(lang)
    assert not [key for key, text in source.items() if not text], "empty Vietnamese messages"
    missing = sorted(key for key in source if not translated.get(key))
    extra = sorted(key for key in translated if key not in source)
    assert not missing, f"missing or empty in {lang}: {missing}"
    assert not extra, f"in {lang} but not in {SOURCE_LANGUAGE}: {extra}"


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_placeholders_are_the_same_in_every_language(lang: str) -> None:
    translated = texts(lang)
    differ = {
        key: (placeholders(text), placeholders(translated[key]))
        for key, text in texts(SOURCE_LANGUAGE).items()
        if key in translated and placeholders(text) != placeholders(translated[key])
    }
    assert not differ, f"placeholders differ ({SOURCE_LANGUAGE}, {lang}): {differ}"


def test_template_is_in_sync_with_the_catalogs() -> None:
    """``make i18n`` (or the conversion) left the .pot as made from the Vietnamese catalog."""
    with catalog_path(SOURCE_LANGUAGE).open("rb") as source:
        expected = {
            message: " ".join(" ".join(comments).split())
            for _, _, message, comments in extract_source_catalog(source, (), (), {})
        }
    template = {
        (m.context or "", str(m.id)): " ".join(" ".join(m.auto_comments).split())
        for m in load(TEMPLATE)
        if m.id
    }
    assert template == expected
    for lang in LANGUAGES:
        assert set(texts(lang)) == set(template), f"{lang}.po and the template list other ids"


def test_vietnamese_messages_address_officials_as_dong_chi() -> None:
    casual = {key: text for key, text in texts("vi").items() if re.search(r"\bbạn\b", text, re.I)}
    assert not casual


def test_vietnamese_messages_say_hoan_thanh_not_xong() -> None:
    """ "xong" is colloquial: texts say "hoàn thành"; only the command /xong keeps its name."""
    casual = {
        k: text for k, text in texts("vi").items() if re.search(r"(?<!/)\bxong\b", text, re.I)
    }
    assert not casual


CATEGORIES = {
    "vi": ("hoàn thành đúng hạn", "hoàn thành quá hạn", "đang thực hiện trong hạn", "quá hạn"),
    "en": ("done on time", "done late", "in progress", "overdue"),
}


@pytest.mark.parametrize("lang", sorted(CATEGORIES))
def test_categories_listed_together_come_in_the_official_order(lang: str) -> None:
    """Where a message names several of the four categories, they come in the official order
    (hoàn thành đúng hạn, hoàn thành quá hạn, đang thực hiện trong hạn, quá hạn)."""
    order = CATEGORIES[lang]
    pattern = re.compile("|".join(re.escape(name) for name in order), re.I)
    disordered = {}
    for key, text in texts(lang).items():
        found = [order.index(m[0].lower()) for m in pattern.finditer(text)]
        if len(set(found)) > 1 and found != sorted(found):
            disordered[key] = text
    assert not disordered


def test_one_word_for_status() -> None:
    """ "Tình trạng" in chat and on the web alike, never "trạng thái"."""
    assert not {k: t for k, t in texts("vi").items() if re.search("trạng thái", t, re.I)}


def test_a_language_without_the_message_falls_back_to_vietnamese() -> None:
    handlers = Catalog("handlers")
    assert handlers.t("denied", "en") == "Sorry, you are not allowed to use this command."
    assert handlers.t("denied", "fr") == handlers.t("denied") == handlers.t("denied", None)
    assert handlers.t("text_too_long", "vi", limit=9).startswith("Tin nhắn quá dài (tối đa 9")
    with pytest.raises(KeyError, match="no message 'nope' in context 'handlers'"):
        handlers.t("nope")


class KeyReferences(ast.NodeVisitor):
    """Literal keys the code asks catalogs for: ``TEXTS.t("key", …)`` (through any name bound to
    a catalog, imported or local, or ``t = TEXTS.t``), ``turn.t("key")`` and the command keys."""

    def __init__(self, catalogs: dict[str, str]) -> None:
        self.catalogs = dict(catalogs)
        self.found: list[tuple[str, str, int]] = []

    def visit_Assign(self, node: ast.Assign) -> None:
        value = node.value
        if (
            isinstance(value, ast.Attribute)
            and value.attr == "t"
            and isinstance(value.value, ast.Name)
            and value.value.id in self.catalogs
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.catalogs[f"{target.id}()"] = self.catalogs[value.value.id]
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        context = self.context_of(node.func)
        if context is not None and node.args:
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                self.found.append((context, key.value, node.lineno))
        if isinstance(node.func, ast.Attribute) and node.func.attr == "command":
            for keyword in node.keywords:
                if keyword.arg in ("help_key", "menu_key") and isinstance(
                    keyword.value, ast.Constant
                ):
                    self.found.append(("handlers", keyword.value.value, node.lineno))
        self.generic_visit(node)

    def context_of(self, func: ast.expr) -> str | None:
        if isinstance(func, ast.Name):
            return self.catalogs.get(f"{func.id}()")
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "t"
            and isinstance(func.value, ast.Name)
        ):
            if func.value.id == "turn":
                return "handlers"
            return self.catalogs.get(func.value.id)
        return None


def modules() -> Iterator[tuple[str, ast.Module]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            yield name, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def own_catalogs(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to ``Catalog("context")``."""
    return {
        target.id: stmt.value.args[0].value
        for stmt in tree.body
        if isinstance(stmt, ast.Assign)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
        and stmt.value.func.id == "Catalog"
        and stmt.value.args
        and isinstance(stmt.value.args[0], ast.Constant)
        for target in stmt.targets
        if isinstance(target, ast.Name)
    }


def referenced_keys() -> list[tuple[str, str, str, int]]:
    trees = dict(modules())
    defined = {name: own_catalogs(tree) for name, tree in trees.items()}
    references: list[tuple[str, str, str, int]] = []
    for name, tree in trees.items():
        catalogs = dict(defined[name])
        for stmt in ast.walk(tree):
            if isinstance(stmt, ast.ImportFrom) and stmt.module in defined:
                for alias in stmt.names:
                    if alias.name in defined[stmt.module]:
                        catalogs[alias.asname or alias.name] = defined[stmt.module][alias.name]
        visitor = KeyReferences(catalogs)
        visitor.visit(tree)
        references += [(name, context, key, line) for context, key, line in visitor.found]
    return references


def test_every_key_the_code_asks_for_exists() -> None:
    known = set(texts(SOURCE_LANGUAGE))
    references = referenced_keys()
    assert len(references) > 200, "the scan no longer finds the code's message keys"
    unknown = [
        f"{module}:{line}: {context}/{key}"
        for module, context, key, line in references
        if (context, key) not in known
    ]
    assert not unknown, unknown


def test_every_catalog_context_has_messages() -> None:
    contexts = {context for context, _ in texts(SOURCE_LANGUAGE)}
    used = {ctx for _, tree in modules() for ctx in own_catalogs(tree).values()}
    assert used <= contexts
