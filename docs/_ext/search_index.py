"""Section-level search for pasted error messages and plain questions, on Sphinx's search page.

Readers paste what their framework printed. Sphinx's search needs every word of the query on one
page, drops code words (``if``, ``where``, ``for``) as stopwords, stems ``abs`` to ``ab``, knows
no spelling variants and breaks ties alphabetically, so a whole message, with its shapes, paths
and module names, finds nothing. This extension keeps Sphinx's search page, the theme's search
box and its Ctrl+K shortcut, and replaces what happens on the page:

* at the end of the build it reads every page's rendered article and cuts it into sections (the
  headings' anchors), so that a result is the section that answers, not only the page;
* a code-aware tokenizer (``tokens``, mirrored rule for rule by ``docs/_static/search_ranking.js``)
  keeps Python's keywords, splits ``jax._src.errors.ConcretizationTypeError``, ``allow_unused``
  and ``ReluBackward0`` into parts while keeping the whole, joins ``sub-gradient`` into
  ``subgradient`` and ``in-place`` into ``inplace``, folds British spellings
  (``reparameterisation``), then cuts common endings (``differentiated`` and
  ``differentiation`` both become ``differenti``);
* each (word, section) pair gets a BM25 weight at build time, plus a bonus when the word is in
  the section's heading or the page's title, written to ``_static/search-sections.js``;
* the page adds up the weights of the query's words that the index knows and ignores the others
  (a tensor shape, a file path or an object address in a pasted message costs nothing), so the
  section sharing most of the message's rare words ranks first.

Measured before choosing (``docs/_ext/search_bench.py``: 59 real queries, 28 messages as the
pinned releases print them, 13 older wordings, 18 questions; this site with its error index,
Debian's Chromium 2026-12; a hit is the expected section, or page when no section is expected,
among the first three results; "page" counts any section of the expected page):

==========================================  ======  ======  ======  ================================
engine                                      top-1   top-3   page    bytes one search loads
                                                                    top-3
==========================================  ======  ======  ======  ================================
Sphinx 9.0 search, as shipped               10.2%   20.3%   61.0%   138 KB to 1.25 MB: its index,
                                                                    then every result page, to
                                                                    show a summary
Sphinx's index, query relaxed (code words   13.6%   22.0%   91.5%   3.2 MB (every matching page)
kept, unknown words ignored, any word
matches, ranked by words matched)
Pagefind 1.5.2 (PyPI ``pagefind[bin]``,     23.7%   27.1%   61.0%   87 KB (WASM and index chunks)
article only)
this extension                              91.5%   100%    100%    304 KB: the page's search
                                                                    scripts and a 261 KB index
                                                                    (91 KB gzipped)
==========================================  ======  ======  ======  ================================

Why this one: only a section index can link the answering section, and no relaxing of the query
lets Sphinx's page-level index rank sections (and it fetches every result page for its summary);
Pagefind ranks only pages that hold every word of the query that it knows, so many pasted
messages return nothing or the wrong page, and its results carry no section anchors on this theme
(its sub-results need ids on the headings; pydata-sphinx-theme puts them on ``<section>``). The
cost is a larger index, which only the search page loads; no result page is fetched.
"""

import html
import json
import math
import re
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

from sphinx.search._stopwords.en import ENGLISH_STOPWORDS

INDEX_FILE = "_static/search-sections.js"
HEADING_BONUS = 2.0  # a word of the section's heading adds twice its rarity
PAGE_TITLE_BONUS = 0.5  # a word of the page's title adds half its rarity to each section
K1, B = 1.2, 0.5  # BM25: saturation, and how much a long section is penalized
COMMON_SHARE = 0.5  # a word in more than half of all sections is left out of the index...
CODE_WORDS = frozenset(  # ...and so are English stopwords, but never Python's keywords
    "if else elif for while where not and or in is none return break continue with as "
    "lambda def try except raise assert yield class import from pass del global true false".split()
)
EXCERPT_CHARS = 220

# Parts of a rendered article that are navigation or boilerplate, not content.
SKIPPED_CLASSES = frozenset(
    {
        "headerlink",
        "sphx-glr-download-link-note",
        "sphx-glr-footer",
        "sphx-glr-signature",
        "sphx-glr-timing",
        "sphx-glr-thumbnails",
        "sphx-glr-thumbcontainer",
        "toctree-wrapper",
        "prev-next-area",
    }
)
SKIPPED_TAGS = frozenset({"script", "style", "svg", "button", "nav"})
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
PROSE_TAGS = frozenset({"p", "dd", "li", "td", "th"})  # text for excerpts: prose, never code

# -- Tokens: mirrored by docs/_static/search_ranking.js, rule for rule ----------------------------

CHAIN = re.compile(r"[^\W_][\w'’]*(?:[.\-][\w'’]*[^\W])*|_\w+", re.UNICODE)
APOSTROPHE = re.compile(r"['’]")
CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+[a-z]*", re.UNICODE)
ALPHA = re.compile(r"^[a-z]+$")
DIGITS = re.compile(r"^[0-9]+$")
AMERICAN = {  # British spellings whose ending no rule below catches
    "behaviour": "behavior",
    "centre": "center",
    "colour": "color",
    "favour": "favor",
    "labour": "labor",
    "neighbour": "neighbor",
}
SPELLING = [  # British to American endings; harmless on other words, since both sides agree
    (re.compile(r"isation(s?)$"), r"ization\1"),
    (re.compile(r"is(e|ed|es|ing|er|ers)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"ell(ing|ed)$"), r"el\1"),
]
# Endings a word loses, longest first; a stem keeps at least 3 letters and one vowel. A stemmer
# of the site's own rather than Sphinx's Snowball: the Python and JavaScript releases of
# Snowball disagree on some words ("internals"), and both sides must agree on every word.
ENDINGS = sorted(
    (
        "izations ization izing ized izes ize ations ation ators ator ates ated ating ate "
        "ments ment ness ables able ibles ible ities ity ions ion ively ives ive ously ous "
        "ally ings ing edly ed ers er es s ly al e"
    ).split(),
    key=len,
    reverse=True,
)
INFLECTIONS = frozenset({"ings", "ing", "ed", "edly", "ers", "er"})
PLURALS = ("es", "s")
VOWEL = re.compile(r"[aeiouy]")


def strip_ending(word: str, endings) -> str:
    for ending in endings:
        if not word.endswith(ending):
            continue
        base = word[: -len(ending)]
        if len(base) < 3 or not VOWEL.search(base):
            continue
        if ending == "s" and base[-1] in "siu":
            continue  # class, status, axis
        if ending == "es" and not base.endswith(("ch", "sh", "ss", "x", "z")):
            continue  # branches, classes; but values, variables lose "s" alone
        if ending in INFLECTIONS and base[-1] == base[-2] and base[-1] not in "aeiouylsz":
            base = base[:-1]  # running -> run, stopped -> stop; not called, passed
        return base
    return word


def stem(word: str) -> str:
    """``differentiated``, ``differentiation``, ``differentiable`` -> ``differenti``: first a
    plural ending, then one ending of ``ENDINGS``."""
    if len(word) <= 3:
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "y"
    return strip_ending(strip_ending(word, PLURALS), ENDINGS)


def normalize(word: str) -> str:
    """A lowercase word as the index stores it: American spelling, then its stem."""
    if not ALPHA.match(word):
        return word
    word = AMERICAN.get(word, word)
    for ending, replacement in SPELLING:
        word = ending.sub(replacement, word)
    return stem(word)


# Sphinx's English stopwords as the index spells them, less the words that are also code.
STOPWORDS = frozenset(normalize(APOSTROPHE.sub("", word)) for word in ENGLISH_STOPWORDS) - {
    normalize(word) for word in CODE_WORDS
}


def piece_tokens(piece: str) -> list[str]:
    """``ConcretizationTypeError`` -> the whole word and its parts, each normalized."""
    whole = piece.strip("_").lower()
    if not whole or DIGITS.match(whole):
        return []
    found = [normalize(whole)]
    parts = [p for chunk in piece.split("_") for p in CAMEL.findall(chunk)]
    if len(parts) > 1:
        found += [normalize(p.lower()) for p in parts if len(p) > 1 and not DIGITS.match(p)]
    return found


def tokens(text: str) -> list[str]:
    """Every token of ``text``, in order, repeated as often as it occurs."""
    found = []
    for chain in CHAIN.findall(text):
        chain = APOSTROPHE.sub("", chain)
        dotted = [segment for segment in chain.split(".") if segment]
        for segment in dotted:
            hyphenated = [piece for piece in segment.split("-") if piece]
            for piece in hyphenated:
                found += piece_tokens(piece)
            if 1 < len(hyphenated) <= 3 and all(ALPHA.match(p.lower()) for p in hyphenated):
                found.append(normalize("".join(hyphenated).lower()))
        if len(dotted) > 1 and all(s[0] not in "0123456789" for s in dotted):
            found.append(".".join(dotted).lower())
    return found


# -- Reading the rendered pages ---------------------------------------------------------------


class Section:
    def __init__(self, anchor: str, depth: int):
        self.anchor, self.depth = anchor, depth
        self.heading: list[str] = []
        self.body: list[str] = []
        self.prose: list[str] = []


class ArticleReader(HTMLParser):
    """Cuts a page's ``<article>`` into its sections: heading, all text, prose text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections: list[Section] = []
        self.open: list[Section] = []  # the sections enclosing the current position
        self.stack: list[tuple[str, bool]] = []  # (tag, opens a section)
        self.skip_depth = 0  # > 0 inside skipped elements
        self.heading_depth = 0
        self.prose_depth = 0
        self.code_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        opens_section = False
        in_page_link = tag == "a" and (attributes.get("href") or "").startswith("#")
        if self.skip_depth or tag in SKIPPED_TAGS or classes & SKIPPED_CLASSES or in_page_link:
            self.skip_depth += 1
        elif tag == "section" and attributes.get("id"):
            section = Section(attributes["id"], len(self.open))
            self.sections.append(section)
            self.open.append(section)
            opens_section = True
        elif tag in HEADINGS and self.open:
            self.heading_depth += 1
        elif tag in PROSE_TAGS:
            self.prose_depth += 1
        elif tag in ("pre", "code"):
            self.code_depth += 1
        self.stack.append((tag, opens_section))

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        while self.stack:  # close anything left open inside (tolerates sloppy HTML)
            open_tag, opened_section = self.stack.pop()
            if self.skip_depth:
                self.skip_depth -= 1
            elif opened_section:
                self.open.pop()
            elif open_tag in HEADINGS and self.heading_depth:
                self.heading_depth -= 1
            elif open_tag in PROSE_TAGS:
                self.prose_depth -= 1
            elif open_tag in ("pre", "code"):
                self.code_depth -= 1
            if open_tag == tag:
                break

    def handle_data(self, data):
        if self.skip_depth or not self.open:
            return
        section = self.open[-1]
        if self.heading_depth:
            section.heading.append(data)
        else:
            section.body.append(data)
            if self.prose_depth and not self.code_depth:
                section.prose.append(data)


ARTICLE = re.compile(r"<article\b[^>]*>(.*)</article>", re.DOTALL)
SPACE = re.compile(r"\s+")


def read_page(path: Path) -> list[Section]:
    found = ARTICLE.search(path.read_text(encoding="utf-8"))
    if not found:
        return []
    reader = ArticleReader()
    reader.feed(found.group(1))
    reader.close()
    return reader.sections


def clean(parts: list[str]) -> str:
    return SPACE.sub(" ", "".join(parts)).strip()


def excerpt(section: Section) -> str:
    text = clean(section.prose) or clean(section.body)
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


# -- The index --------------------------------------------------------------------------------


def build_index(pages: list[tuple[str, str, list[Section]]]) -> dict:
    """``pages``: (link target, page title, sections). Returns the JSON-able index."""
    page_rows, section_rows, fields = [], [], []
    for page_index, (target, title, sections) in enumerate(pages):
        page_rows.append([target, title])
        title_counts = Counter(tokens(title))
        for position, section in enumerate(sections):
            heading = clean(section.heading).rstrip("#").strip()
            anchor = "" if position == 0 else section.anchor
            section_rows.append([page_index, anchor, heading, excerpt(section)])
            fields.append(
                (Counter(tokens(heading)), Counter(tokens(clean(section.body))), title_counts)
            )
    count = len(fields)
    lengths = [sum(body.values()) + sum(head.values()) for head, body, _ in fields]
    average = sum(lengths) / max(count, 1)
    frequency = Counter(term for head, body, title in fields for term in {*head, *body, *title})
    postings = defaultdict(list)
    for number, (head, body, title) in enumerate(fields):
        norm = K1 * (1 - B + B * lengths[number] / average)
        for term in {*head, *body, *title}:
            if term in STOPWORDS:
                continue
            if frequency[term] / count > COMMON_SHARE and term not in CODE_WORDS:
                continue
            idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
            saturated = body[term] * (K1 + 1) / (body[term] + norm)
            in_titles = HEADING_BONUS * (term in head) + PAGE_TITLE_BONUS * (term in title)
            postings[term] += [number, max(1, round(10 * idf * (saturated + in_titles)))]
    return {"pages": page_rows, "sections": section_rows, "terms": dict(sorted(postings.items()))}


def page_target(builder, docname: str) -> str:
    return builder.get_target_uri(docname)


def write_index(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    pages = []
    for docname in sorted(app.env.found_docs):
        target = page_target(app.builder, docname)
        path = outdir / target
        if not path.exists():
            continue
        title = html.unescape(app.env.titles[docname].astext()) if docname in app.env.titles else ""
        pages.append((target, title, read_page(path)))
    index = build_index(pages)
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    (outdir / INDEX_FILE).write_text(f"Search.setIndex({text});\n", encoding="utf-8")


def setup(app):
    app.connect("build-finished", write_index)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
