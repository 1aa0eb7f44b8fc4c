/**
 * README and docs/ links work in a user's clone: every relative link points at a file of the
 * project (nothing outside it, such as ../shared, which only the developers' machines have).
 */

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

const DOCS = ["README.md", ...readdirSync(join(ROOT, "docs")).map((f) => join("docs", f))].filter((f) =>
  f.endsWith(".md"),
);

/** Markdown link targets `[text](target)` that are not URLs or anchors. */
function relativeLinks(markdown: string): string[] {
  const links: string[] = [];
  for (const m of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1] as string;
    if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
    links.push(target.split("#")[0] as string);
  }
  return links;
}

describe.each(DOCS)("%s", (doc) => {
  it("links only to files inside the project, which exist", () => {
    const links = relativeLinks(readFileSync(join(ROOT, doc), "utf8"));
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) {
      const target = resolve(ROOT, dirname(doc), link);
      expect(relative(ROOT, target).startsWith(".."), `${doc} links outside the project: ${link}`).toBe(false);
      expect(existsSync(target), `${doc} links to a missing file: ${link}`).toBe(true);
    }
  });
});
