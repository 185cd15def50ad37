"""The page templates ask only for messages the catalogs have, in both languages."""

from __future__ import annotations

from importlib import resources

import jinja2
from jinja2 import nodes

from bot.i18n import LANGUAGES, translations

CONTEXTS = {"t": "web", "term": "bot"}
"""The message functions a page gets (bot.web.rendering.render_page) and their catalogs."""


def template_keys() -> list[tuple[str, str, str]]:
    """(template, context, key) of every ``t("key", …)`` / ``term("key", …)`` with a literal
    key in ``bot/web/templates``."""
    env = jinja2.Environment(autoescape=True)
    found = []
    for path in sorted((resources.files("bot.web") / "templates").iterdir()):
        tree = env.parse(path.read_text(encoding="utf-8"))
        for call in tree.find_all(nodes.Call):
            if (
                isinstance(call.node, nodes.Name)
                and call.node.name in CONTEXTS
                and call.args
                and isinstance(call.args[0], nodes.Const)
            ):
                found.append((path.name, CONTEXTS[call.node.name], call.args[0].value))
    return found


def test_every_key_a_template_asks_for_exists_in_every_language() -> None:
    keys = template_keys()
    assert len(keys) > 60, "the scan no longer finds the templates' message keys"
    missing = [
        f"{template}: {context}/{key} ({lang})"
        for template, context, key in keys
        for lang in LANGUAGES
        if (context, key) not in translations(lang)
    ]
    assert not missing, missing
