"""archive.organize.names and the facet items built in Python (archive.views.facet_links):
one read of the owner's names, and every name escaped in the HTML built from it."""

from __future__ import annotations

import pytest

from archive.organize.names import options_html, owner_names
from archive.organize.objects import correspondent_create, tag_for_path
from archive.views.facet_links import Panel, Value, panel_items

pytestmark = pytest.mark.django_db

EVIL = '<img src=x onerror="alert(1)">&\''


def test_owner_names_are_the_owners_only(alice, bob):
    tag_for_path(owner=alice, path="Tax/2024")
    correspondent_create(owner=alice, name="ACME")
    correspondent_create(owner=bob, name="Bobs shop")
    names = owner_names(alice)
    assert [path for _pk, path, _name in names.tags] == ["Tax", "Tax/2024"]
    assert [name for _pk, name in names.correspondents] == ["ACME"]
    assert names.types == []
    assert names.fields == []


def test_options_and_facet_items_escape_every_name():
    options = options_html([(1, EVIL), ('2"', "plain")])
    assert "<img" not in options
    assert options.startswith('<option value="1">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;')
    assert '<option value="2&quot;">plain</option>' in options
    panel = Panel(
        "tag",
        "Tags",
        [
            Value(EVIL, 3, 'tag=1&q="x"', depth=2),
            Value("On", 1_234, "tag=2", active=True),
        ],
    )
    html = panel_items(panel, estimated=True)
    assert "<img" not in html
    assert (
        '<li class="depth-2"><a href="?tag=1&amp;q=&quot;x&quot;">&lt;img src=x '
        "onerror=&quot;alert(1)&quot;&gt;&amp;&#x27;</a> "
        '<span class="count">≈3</span></li>'
    ) in html
    assert '<li><strong>On</strong> <span class="count">≈1234</span></li>' in html
    assert "≈" not in panel_items(panel, estimated=False)
