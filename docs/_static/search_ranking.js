/*
 * The site's search, run on Sphinx's search page (search.html) in place of Sphinx's own query.
 *
 * The index, _static/search-sections.js, is written at the end of the build by
 * docs/_ext/search_index.py: for each word, the sections that use it, with their BM25 weight.
 * `tokens` below mirrors `tokens` in that module rule for rule, so that a query is cut into the
 * same words as the pages were. A query's words that the index does not know (a tensor shape, a
 * file path, an object address) are ignored instead of emptying the result; the sections are
 * ranked by the sum of the weights of the words they share with the query.
 */
"use strict";

const SiteSearch = (() => {
  const CHAIN =
    /[\p{L}\p{N}][\p{L}\p{N}_'’]*(?:[.\-][\p{L}\p{N}_'’]*[\p{L}\p{N}_])*|_[\p{L}\p{N}_]+/gu;
  const APOSTROPHE = /['’]/g;
  const CAMEL = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+[a-z]*/g;
  const ALPHA = /^[a-z]+$/;
  const DIGITS = /^[0-9]+$/;
  const AMERICAN = {
    behaviour: "behavior",
    centre: "center",
    colour: "color",
    favour: "favor",
    labour: "labor",
    neighbour: "neighbor",
  };
  const SPELLING = [
    [/isation(s?)$/, "ization$1"],
    [/is(e|ed|es|ing|er|ers)$/, "iz$1"],
    [/ys(e|ed|es|ing)$/, "yz$1"],
    [/ell(ing|ed)$/, "el$1"],
  ];
  // Endings a word loses, longest first (see ENDINGS in search_index.py).
  const ENDINGS = (
    "izations ization izing ized izes ize ations ation ators ator ates ated ating ate " +
    "ments ment ness ables able ibles ible ities ity ions ion ively ives ive ously ous " +
    "ally ings ing edly ed ers er es s ly al e"
  )
    .split(" ")
    .sort((a, b) => b.length - a.length); // stable, as Python's sorted
  const INFLECTIONS = new Set(["ings", "ing", "ed", "edly", "ers", "er"]);
  const PLURALS = ["es", "s"];
  const VOWEL = /[aeiouy]/;
  const MAX_RESULTS = 25;
  const stems = new Map();

  const stripEnding = (word, endings) => {
    for (const ending of endings) {
      if (!word.endsWith(ending)) continue;
      let base = word.slice(0, -ending.length);
      if (base.length < 3 || !VOWEL.test(base)) continue;
      if (ending === "s" && "siu".includes(base.at(-1))) continue;
      if (ending === "es" && !["ch", "sh", "ss", "x", "z"].some((end) => base.endsWith(end)))
        continue;
      const doubled = base.at(-1) === base.at(-2) && !"aeiouylsz".includes(base.at(-1));
      if (INFLECTIONS.has(ending) && doubled) base = base.slice(0, -1); // running -> run
      return base;
    }
    return word;
  };

  const stem = (word) => {
    if (word.length <= 3) return word;
    if ((word.endsWith("ies") || word.endsWith("ied")) && word.length > 4)
      return word.slice(0, -3) + "y";
    return stripEnding(stripEnding(word, PLURALS), ENDINGS);
  };

  const normalize = (word) => {
    if (!ALPHA.test(word)) return word;
    if (!stems.has(word)) {
      let american = AMERICAN[word] || word;
      for (const [ending, replacement] of SPELLING)
        american = american.replace(ending, replacement);
      stems.set(word, stem(american));
    }
    return stems.get(word);
  };

  const pieceTokens = (piece) => {
    const whole = piece.replace(/^_+|_+$/g, "").toLowerCase();
    if (!whole || DIGITS.test(whole)) return [];
    const found = [normalize(whole)];
    const parts = piece.split("_").flatMap((chunk) => chunk.match(CAMEL) || []);
    if (parts.length > 1)
      for (const part of parts)
        if (part.length > 1 && !DIGITS.test(part)) found.push(normalize(part.toLowerCase()));
    return found;
  };

  const tokens = (text) => {
    const found = [];
    for (const match of text.matchAll(CHAIN)) {
      const chain = match[0].replace(APOSTROPHE, "");
      const dotted = chain.split(".").filter((segment) => segment);
      for (const segment of dotted) {
        const hyphenated = segment.split("-").filter((piece) => piece);
        for (const piece of hyphenated) found.push(...pieceTokens(piece));
        if (
          hyphenated.length > 1 &&
          hyphenated.length <= 3 &&
          hyphenated.every((piece) => ALPHA.test(piece.toLowerCase()))
        )
          found.push(normalize(hyphenated.join("").toLowerCase()));
      }
      if (dotted.length > 1 && dotted.every((segment) => !"0123456789".includes(segment[0])))
        found.push(dotted.join(".").toLowerCase());
    }
    return found;
  };

  /* Sections sharing words with `query`, best first: {section, score, words}. */
  const rank = (index, query) => {
    const wanted = [...new Set(tokens(query))];
    const known = wanted.filter((word) => Object.hasOwn(index.terms, word));
    const scores = new Map();
    for (const word of known) {
      const postings = index.terms[word];
      for (let i = 0; i < postings.length; i += 2) {
        const entry = scores.get(postings[i]) || { section: postings[i], score: 0, words: 0 };
        entry.score += postings[i + 1];
        entry.words += 1;
        scores.set(postings[i], entry);
      }
    }
    const ranked = [...scores.values()].sort(
      (a, b) => b.score - a.score || b.words - a.words || a.section - b.section,
    );
    return { ranked, known, ignored: wanted.filter((word) => !known.includes(word)) };
  };

  const resultItem = (index, entry, highlight) => {
    const [page, anchor, heading, excerpt] = index.sections[entry.section];
    const [target, pageTitle] = index.pages[page];
    const item = document.createElement("li");
    item.classList.add("kind-text");
    const link = item.appendChild(document.createElement("a"));
    link.href = target + (anchor ? "#" + anchor : "");
    link.dataset.score = entry.score;
    const inPage = anchor && heading && heading !== pageTitle;
    link.textContent = inPage ? `${pageTitle} › ${heading}` : pageTitle;
    if (excerpt) {
      const context = item.appendChild(document.createElement("p"));
      context.classList.add("context");
      context.textContent = excerpt;
      if (typeof _highlightText === "function")
        highlight.forEach((word) => _highlightText(context, word, "highlighted"));
    }
    return item;
  };

  /* Replaces Sphinx's Search.query: called once the index is loaded (Search.setIndex). */
  const query = (text) => {
    const index = Search._index;
    const { ranked, known } = rank(index, text);
    const shown = ranked.slice(0, MAX_RESULTS);
    const surface = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) || [];
    const highlight =
      known.length <= 4 ? surface.filter((word) => known.includes(normalize(word))) : [];
    if (typeof SPHINX_HIGHLIGHT_ENABLED !== "undefined" && SPHINX_HIGHLIGHT_ENABLED)
      localStorage.setItem("sphinx_highlight_terms", highlight.join(" "));
    const progress = document.getElementById("search-progress");
    if (progress) progress.replaceChildren();
    shown.forEach((entry) => Search.output.appendChild(resultItem(index, entry, highlight)));
    Search.stopPulse();
    Search.title.innerText = _("Search Results");
    Search.status.innerText = shown.length
      ? `Search finished: the ${shown.length} best of ${ranked.length} matching sections.`
      : "Your search did not match any section: none of its words is used on this site.";
  };

  return { tokens, rank, query };
})();

Search.query = SiteSearch.query;
