/**
 * Fitting the table to a terminal: when the columns are wider than the screen, the widest
 * columns give up width first (down to a floor), and cells are cut with an ellipsis. Only the
 * table is cut; jsonl, json and csv always carry full values.
 */

/** The ellipsis a cut cell ends with. */
export const ELLIPSIS = "…";
/** No column is narrowed below this many characters (or its header, if shorter). */
const MIN_COLUMN = 8;

function narrowWidest(fitted: number[], floors: readonly number[], fits: () => boolean): void {
  while (!fits()) {
    let widest = -1;
    for (let i = 0; i < fitted.length; i++) {
      if (
        (fitted[i] as number) > (floors[i] as number) &&
        (widest < 0 || (fitted[i] as number) > (fitted[widest] as number))
      ) {
        widest = i;
      }
    }
    if (widest < 0) return;
    fitted[widest] = (fitted[widest] as number) - 1;
  }
}

/**
 * Column widths that fit `maxWidth` with `gap` characters between columns. The `elastic`
 * columns (long free text) are narrowed first, widest first, down to {@link MIN_COLUMN};
 * only then the others, down to the same floor (or their header's width, if shorter).
 */
export function fitWidths(
  widths: readonly number[],
  headers: readonly number[],
  elastic: readonly boolean[],
  gap: number,
  maxWidth: number,
): number[] {
  const fitted = [...widths];
  const fits = () => fitted.reduce((sum, w) => sum + w, 0) + gap * Math.max(0, fitted.length - 1) <= maxWidth;
  const floor = (i: number) => Math.min(MIN_COLUMN, headers[i] ?? MIN_COLUMN, widths[i] ?? MIN_COLUMN);
  narrowWidest(
    fitted,
    fitted.map((w, i) => (elastic[i] ? floor(i) : w)),
    fits,
  );
  narrowWidest(
    fitted,
    fitted.map((_, i) => floor(i)),
    fits,
  );
  return fitted;
}

/**
 * `text` cut to `width` code points with {@link ELLIPSIS} where it was cut: at the end, or in
 * the middle for paths (`C:\Users\…\lsass.DMP` keeps the file's name).
 */
export function cutToWidth(text: string, width: number, middle = false): string {
  const points = [...text];
  if (points.length <= width) return text;
  const keep = Math.max(0, width - 1);
  if (!middle) return points.slice(0, keep).join("") + ELLIPSIS;
  const head = Math.ceil(keep / 2);
  return points.slice(0, head).join("") + ELLIPSIS + points.slice(points.length - (keep - head)).join("");
}
