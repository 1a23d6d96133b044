// Renders CSL-JSON items with citeproc-js and the committed GB/T 7714-2015 numeric style.
// Reads a JSON array of items on stdin; prints a JSON array of bibliography entries (plain
// text, each without its [n] label), in the order given. Used by tests/test_citation.py.
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const here = __dirname;
const style = fs.readFileSync(path.join(here, "china-national-standard-gb-t-7714-2015-numeric.csl"), "utf8");
const locales = {
  "zh-CN": fs.readFileSync(path.join(here, "locales-zh-CN.xml"), "utf8"),
  "en-US": fs.readFileSync(path.join(here, "locales-en-US.xml"), "utf8"),
};
const items = JSON.parse(fs.readFileSync(0, "utf8"));
const byId = Object.fromEntries(items.map((it) => [it.id, it]));
const sys = {
  retrieveLocale: (lang) => locales[lang] || locales["en-US"],
  retrieveItem: (id) => byId[id],
};
const out = items.map((item) => {
  // One processor per item: each entry is rendered alone, as the page shows it.
  const engine = new CSL.Engine(sys, style, "zh-CN");
  engine.setOutputFormat("text");
  engine.updateItems([item.id]);
  const [, entries] = engine.makeBibliography();
  return entries[0].trim().replace(/^\[1\]/, "").trim();
});
process.stdout.write(JSON.stringify(out));
