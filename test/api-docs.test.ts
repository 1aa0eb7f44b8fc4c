/**
 * The published API's documentation (issue 11): every export of the package's entry point has
 * a doc comment with an `@example` in the .d.ts a consumer's editor shows. Read with the
 * TypeScript compiler from dist/index.d.ts (run `npm run build` first).
 */

import { existsSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/cli.js";

const ENTRY = join(ROOT, "dist", "index.d.ts");

describe("the .d.ts of every export", () => {
  it.skipIf(!existsSync(ENTRY))("has a doc comment with an @example (dist/index.d.ts; needs npm run build)", () => {
    const program = ts.createProgram([ENTRY], {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
    });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(ENTRY);
    const moduleSymbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    expect(moduleSymbol).toBeDefined();
    const missing: string[] = [];
    const exports = checker.getExportsOfModule(moduleSymbol as ts.Symbol);
    for (const symbol of exports) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      const docs = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
      const examples = target.getJsDocTags(checker).filter((tag) => tag.name === "example");
      if (docs === "" || examples.length === 0) missing.push(`${symbol.name}${docs === "" ? " (no doc comment)" : ""}`);
    }
    expect(exports.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});
