"""Every internal link and anchor of the built site resolves."""

from functools import cache
from urllib.parse import unquote, urlparse


def test_every_internal_link_and_anchor_resolves(built_site):
    @cache
    def ids_in(path):
        soup = built_site.page(str(path.relative_to(built_site.html)))
        return {tag.get("id") for tag in soup.select("[id]")} | {
            tag.get("name") for tag in soup.select("a[name]")
        }

    broken, unchecked_pages = [], []
    for page in built_site.pages():
        checked = 0
        soup = built_site.page(str(page.relative_to(built_site.html)))
        references = [a.get("href") for a in soup.select("a[href]")]
        references += [tag.get("src") for tag in soup.select("img[src], script[src]")]
        references += [link.get("href") for link in soup.select("link[href]")]
        for reference in references:
            url = urlparse(reference)
            if url.scheme or url.netloc:
                continue  # links to other sites are not the site's own pages
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(built_site.html)}: {reference} (no file)")
            elif url.fragment and target.suffix == ".html" and url.fragment not in ids_in(target):
                broken.append(f"{page.relative_to(built_site.html)}: {reference} (no anchor)")
        if checked == 0:
            unchecked_pages.append(str(page.relative_to(built_site.html)))
    # Every page has at least the theme's navigation: none found means the crawl missed them.
    assert built_site.pages(), "no pages to crawl"
    assert not unchecked_pages, f"no internal link found on {unchecked_pages}"
    assert not broken, "\n".join(broken)
