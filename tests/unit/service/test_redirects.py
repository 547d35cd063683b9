"""`local_path`: a form's `next` may only lead to a page of this site."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.redirects import local_path

SITE = "https://civica.example/"


@pytest.mark.parametrize(
    "target", ["/", "/cycles/3", "/cycles/3/projects?scope=2&page=1", "/p%C3%A1gina#top"]
)
def test_local_paths_are_kept(target: str) -> None:
    assert local_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " /x",
        "/x y",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "",
        None,
        42,
        ["/"],
        "/" + "a" * 3000,
    ],
)
def test_anything_else_goes_to_the_fallback(target: object) -> None:
    assert local_path(target) == "/"
    assert local_path(target, fallback="/cycles") == "/cycles"


@given(st.text(max_size=60))
def test_no_target_leaves_the_site(target: str) -> None:
    followed = urlsplit(urljoin(SITE, local_path(target)))
    assert (followed.scheme, followed.netloc) == ("https", "civica.example")


@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Zs", "Zl", "Zp"]), max_size=40))
def test_ordinary_paths_are_kept(tail: str) -> None:
    target = "/" + tail.lstrip("/\\")
    if "\\" not in target and not any(c.isspace() for c in target):
        assert local_path(target) == target
