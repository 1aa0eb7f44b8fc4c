/**
 * Reads one record's Binary XML and reports it as a stream of elements, attributes and text
 * (SAX style), with template instances expanded and substitution values rendered. Both EVTX
 * decoders sit on it: the full tree of the reference engine (event-tree.ts) and the field
 * collector of the fast path (event-fields.ts).
 *
 * Everything is chunk-relative: names and template definitions are stored once per chunk and
 * referenced by offset, so a reader lives as long as one chunk (it caches names by offset).
 * Malformed input throws {@link BinXmlError}; nothing is read outside the chunk, and a record's
 * own tokens and substitution values stay inside the record.
 *
 * Token layout after the libevtx documentation ("Binary XML") and [MS-EVEN6]:
 * - an element start has a 2-byte dependency identifier in template definitions but not in
 *   nested Binary XML values (0x21) or elements written directly in a record; like libfwevt,
 *   we tell the two apart by whether the size read without it would overrun its bounds (with
 *   it, that u32 holds the identifier and the size's low half, far above any chunk offset);
 * - an optional substitution whose value is NULL drops the attribute or element it fills;
 * - an element whose whole content is one array substitution repeats once per item (an empty
 *   array gives one empty element), as Windows renders EventData arrays.
 */

import { RECORD_HEADER_SIZE, u16, u32 } from "./layout.js";
import { BinXmlError, checkArray, checkScalar, renderArrayItems, renderScalar, utf16At, VALUE_TYPE } from "./values.js";

/** One attribute as rendered: name and value text. */
export type Attribute = readonly [name: string, value: string];

/**
 * Receives the document in order. Text arrives in pieces; concatenate them. A handler that
 * needs only some of the document says so with the two optional predicates, and the reader
 * then skips rendering the rest (it still checks every value, so a record is malformed or not
 * whatever a handler asks for).
 */
export interface BinXmlHandler {
  startElement(name: string, attributes: readonly Attribute[]): void;
  text(value: string): void;
  endElement(): void;
  /** Asked before the attributes of the element `name` are read; false: pass `[]`. */
  wantsAttributes?(name: string): boolean;
  /** Asked before text of the innermost open element is rendered; false: no text calls. */
  wantsText?(): boolean;
}

const TOKEN = {
  EOF: 0x00,
  OPEN_START_ELEMENT: 0x01,
  CLOSE_START_ELEMENT: 0x02,
  CLOSE_EMPTY_ELEMENT: 0x03,
  END_ELEMENT: 0x04,
  VALUE: 0x05,
  ATTRIBUTE: 0x06,
  CDATA: 0x07,
  CHAR_REF: 0x08,
  ENTITY_REF: 0x09,
  PI_TARGET: 0x0a,
  PI_DATA: 0x0b,
  TEMPLATE_INSTANCE: 0x0c,
  NORMAL_SUBSTITUTION: 0x0d,
  OPTIONAL_SUBSTITUTION: 0x0e,
  FRAGMENT_HEADER: 0x0f,
} as const;
/** "More data follows" flag on value, attribute, reference and element-start tokens. */
const MORE = 0x40;
/** Shared by every element without (wanted) attributes. */
const NO_ATTRIBUTES: readonly Attribute[] = Object.freeze([]);
/** Nesting limit for elements, template instances and nested Binary XML together. */
const MAX_DEPTH = 256;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** One substitution value of a template instance: type, and where its bytes are. */
interface SubstitutionValue {
  type: number;
  at: number;
  size: number;
}

/**
 * A Binary XML reader over one chunk's bytes (a whole 64 KiB chunk, or the part of a
 * truncated one that exists).
 */
export class BinXmlReader {
  private readonly names = new Map<number, string>();
  private depth = 0;
  /** Set by readName: the position after an inline name, or the position it was given. */
  private afterName = 0;
  /** Set by readValueText: the position after the value-text token. */
  private afterValue = 0;
  /**
   * Chunk-relative [start, end) pairs of the template definitions met inline (stored inside
   * the record being read). The fast path uses them to see whether a prefilter candidate sits
   * in a template that other records share. Cleared by the caller.
   */
  readonly inlineTemplates: number[] = [];

  constructor(private readonly chunk: Uint8Array) {}

  /**
   * Reads the record whose magic is at chunk-relative `offset` and whose size is `size`
   * (both already checked to lie inside the chunk). Throws BinXmlError if it is malformed.
   */
  readRecord(offset: number, size: number, handler: BinXmlHandler): void {
    this.depth = 0;
    this.readDocument(offset + RECORD_HEADER_SIZE, offset + size - 4, null, handler);
  }

  private need(at: number, length: number, end: number): void {
    if (at < 0 || at + length > end || at + length > this.chunk.length) {
      throw new BinXmlError(`Binary XML runs past its bounds at chunk offset ${at}`);
    }
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new BinXmlError("Binary XML nested too deep");
  }

  /** A token stream up to its end-of-file token (or `end`). Returns the position after it. */
  private readDocument(pos: number, end: number, values: SubstitutionValue[] | null, handler: BinXmlHandler): number {
    const b = this.chunk;
    while (pos < end) {
      this.need(pos, 1, end);
      const token = b[pos] as number;
      switch (token & ~MORE) {
        case TOKEN.EOF:
          return pos + 1;
        case TOKEN.FRAGMENT_HEADER:
          this.need(pos, 4, end);
          pos += 4;
          break;
        case TOKEN.OPEN_START_ELEMENT:
          pos = this.readElement(pos, end, values, handler);
          break;
        case TOKEN.TEMPLATE_INSTANCE:
          pos = this.readTemplateInstance(pos, end, handler);
          break;
        case TOKEN.PI_TARGET:
        case TOKEN.PI_DATA:
          pos = this.skipProcessingInstruction(pos, end);
          break;
        case TOKEN.NORMAL_SUBSTITUTION:
        case TOKEN.OPTIONAL_SUBSTITUTION:
          pos = this.readContentSubstitution(pos, end, values, handler);
          break;
        default:
          throw new BinXmlError(`unexpected token 0x${token.toString(16)} at chunk offset ${pos}`);
      }
    }
    return pos;
  }

  private readTemplateInstance(pos: number, end: number, handler: BinXmlHandler): number {
    const b = this.chunk;
    this.need(pos, 10, end);
    const definitionOffset = u32(b, pos + 6);
    let p = pos + 10;
    let bodyStart: number;
    let bodyEnd: number;
    if (definitionOffset === p) {
      // Defined here, inline: next-definition offset, GUID, data size, then the body.
      this.need(p, 24, end);
      bodyStart = p + 24;
      bodyEnd = bodyStart + u32(b, p + 20);
      this.need(bodyStart, bodyEnd - bodyStart, end);
      this.inlineTemplates.push(p, bodyEnd);
      p = bodyEnd;
    } else {
      // Defined earlier in the chunk by another record.
      if (definitionOffset >= pos) throw new BinXmlError("template definition offset points forward");
      this.need(definitionOffset, 24, this.chunk.length);
      bodyStart = definitionOffset + 24;
      bodyEnd = bodyStart + u32(b, definitionOffset + 20);
      this.need(bodyStart, bodyEnd - bodyStart, this.chunk.length);
    }
    this.need(p, 4, end);
    const count = u32(b, p);
    p += 4;
    if (count > (end - p) / 4) throw new BinXmlError("template value count larger than the record");
    const values: SubstitutionValue[] = new Array(count);
    let at = p + 4 * count;
    for (let i = 0; i < count; i++) {
      const size = u16(b, p + 4 * i);
      values[i] = { type: b[p + 4 * i + 2] as number, at, size };
      at += size;
    }
    this.need(p, at - p, end);
    this.enter();
    this.readDocument(bodyStart, bodyEnd, values, handler);
    this.depth--;
    return at;
  }

  /** Reads a name at `nameOffset`; sets afterName past it when it is stored inline at `p`. */
  private readName(nameOffset: number, p: number, end: number): string {
    const b = this.chunk;
    if (nameOffset === p) {
      this.need(p, 8, end);
      const units = u16(b, p + 6);
      const size = 8 + 2 * units + 2;
      this.need(p, size, end);
      this.afterName = p + size;
      let name = this.names.get(p);
      if (name === undefined) {
        name = utf16At(b, p + 8, units);
        this.names.set(p, name);
      }
      return name;
    }
    this.afterName = p;
    // Checked before the cache, so that a record decodes the same whatever was read before it.
    if (nameOffset >= p) throw new BinXmlError("name offset points forward");
    let name = this.names.get(nameOffset);
    if (name === undefined) {
      this.need(nameOffset, 8, b.length);
      const units = u16(b, nameOffset + 6);
      this.need(nameOffset + 8, 2 * units, b.length);
      name = utf16At(b, nameOffset + 8, units);
      this.names.set(nameOffset, name);
    }
    return name;
  }

  private readElement(pos: number, end: number, values: SubstitutionValue[] | null, handler: BinXmlHandler): number {
    const b = this.chunk;
    const token = b[pos] as number;
    this.need(pos, 9, end);
    const withoutDependencyId = u32(b, pos + 1) <= end - (pos + 5);
    let p = pos + (withoutDependencyId ? 1 : 3);
    this.need(p, 8, end);
    const elementEnd = p + 4 + u32(b, p);
    if (elementEnd > end) throw new BinXmlError("element runs past its bounds");
    const name = this.readName(u32(b, p + 4), p + 8, elementEnd);
    p = this.afterName;
    let attributes: readonly Attribute[] = NO_ATTRIBUTES;
    if ((token & MORE) !== 0) {
      this.need(p, 4, elementEnd);
      const listEnd = p + 4 + u32(b, p);
      if (listEnd > elementEnd) throw new BinXmlError("attribute list runs past its element");
      p += 4;
      const out: Attribute[] | null = handler.wantsAttributes?.(name) === false ? null : [];
      if (out !== null) attributes = out;
      while (p < listEnd) p = this.readAttribute(p, listEnd, values, out);
      if (p !== listEnd) throw new BinXmlError("attribute list size mismatch");
    }
    this.need(p, 1, elementEnd);
    const close = b[p++] as number;
    this.enter();
    if (close === TOKEN.CLOSE_EMPTY_ELEMENT) {
      handler.startElement(name, attributes);
      handler.endElement();
    } else if (close === TOKEN.CLOSE_START_ELEMENT) {
      p = this.readElementContent(p, elementEnd, name, attributes, values, handler);
    } else {
      throw new BinXmlError(`unexpected token 0x${close.toString(16)} after element start`);
    }
    this.depth--;
    if (p !== elementEnd) throw new BinXmlError("element size mismatch");
    return p;
  }

  private readElementContent(
    p: number,
    end: number,
    name: string,
    attributes: readonly Attribute[],
    values: SubstitutionValue[] | null,
    handler: BinXmlHandler,
  ): number {
    const b = this.chunk;
    const first = b[p];
    if (
      values !== null &&
      (first === TOKEN.NORMAL_SUBSTITUTION || first === TOKEN.OPTIONAL_SUBSTITUTION) &&
      p + 5 <= end &&
      b[p + 4] === TOKEN.END_ELEMENT
    ) {
      // The whole content is one substitution: NULL-optional drops the element, arrays repeat it.
      const value = this.substitution(values, u16(b, p + 1));
      if (value.type === VALUE_TYPE.NULL && first === TOKEN.OPTIONAL_SUBSTITUTION) return p + 5;
      if ((value.type & VALUE_TYPE.ARRAY) !== 0) {
        const items = renderArrayItems(b, value.at, value.size, value.type);
        if (items.length === 0) items.push("");
        for (const item of items) {
          handler.startElement(name, attributes);
          if (item !== "" && handler.wantsText?.() !== false) handler.text(item);
          handler.endElement();
        }
        return p + 5;
      }
    }
    handler.startElement(name, attributes);
    for (;;) {
      this.need(p, 1, end);
      const token = b[p] as number;
      switch (token & ~MORE) {
        case TOKEN.END_ELEMENT:
          handler.endElement();
          return p + 1;
        case TOKEN.OPEN_START_ELEMENT:
          p = this.readElement(p, end, values, handler);
          break;
        case TOKEN.VALUE:
          if (handler.wantsText?.() === false) this.skipValueText(p, end);
          else handler.text(this.readValueText(p, end));
          p = this.afterValue;
          break;
        case TOKEN.CDATA: {
          this.need(p, 3, end);
          const units = u16(b, p + 1);
          this.need(p + 3, 2 * units, end);
          if (handler.wantsText?.() !== false) handler.text(utf16At(b, p + 3, units));
          p += 3 + 2 * units;
          break;
        }
        case TOKEN.CHAR_REF:
          this.need(p, 3, end);
          handler.text(String.fromCharCode(u16(b, p + 1)));
          p += 3;
          break;
        case TOKEN.ENTITY_REF:
          handler.text(this.readEntity(p, end));
          p = this.afterName;
          break;
        case TOKEN.PI_TARGET:
        case TOKEN.PI_DATA:
          p = this.skipProcessingInstruction(p, end);
          break;
        case TOKEN.NORMAL_SUBSTITUTION:
        case TOKEN.OPTIONAL_SUBSTITUTION:
          p = this.readContentSubstitution(p, end, values, handler);
          break;
        default:
          throw new BinXmlError(`unexpected token 0x${token.toString(16)} in element content at chunk offset ${p}`);
      }
    }
  }

  private substitution(values: SubstitutionValue[] | null, id: number): SubstitutionValue {
    const value = values?.[id];
    if (value === undefined) throw new BinXmlError(`substitution ${id} has no value`);
    return value;
  }

  /** Substitution in element content (or at document level inside a template body). */
  private readContentSubstitution(
    p: number,
    end: number,
    values: SubstitutionValue[] | null,
    handler: BinXmlHandler,
  ): number {
    this.need(p, 4, end);
    const value = this.substitution(values, u16(this.chunk, p + 1));
    if (value.type === VALUE_TYPE.BINXML) {
      this.enter();
      this.readDocument(value.at, value.at + value.size, null, handler);
      this.depth--;
    } else if (handler.wantsText?.() === false) {
      this.checkValue(value);
    } else {
      const text = this.valueText(value);
      if (text !== "") handler.text(text);
    }
    return p + 4;
  }

  /** A substitution value as text; array items joined with ", " where the element cannot repeat. */
  private valueText(value: SubstitutionValue): string {
    if (value.type === VALUE_TYPE.BINXML) throw new BinXmlError("Binary XML value where text is expected");
    if ((value.type & VALUE_TYPE.ARRAY) !== 0) {
      return renderArrayItems(this.chunk, value.at, value.size, value.type).join(", ");
    }
    return renderScalar(this.chunk, value.at, value.size, value.type);
  }

  /** Checks a substitution value as {@link valueText} would, without rendering it. */
  private checkValue(value: SubstitutionValue): void {
    if (value.type === VALUE_TYPE.BINXML) throw new BinXmlError("Binary XML value where text is expected");
    if ((value.type & VALUE_TYPE.ARRAY) !== 0) checkArray(this.chunk, value.at, value.size, value.type);
    else checkScalar(this.chunk, value.at, value.size, value.type);
  }

  /** Checks a value-text token as {@link readValueText} would; sets afterValue past it. */
  private skipValueText(p: number, end: number): void {
    this.need(p, 4, end);
    if (this.chunk[p + 1] !== VALUE_TYPE.STRING) throw new BinXmlError("value text that is not a UTF-16 string");
    const units = u16(this.chunk, p + 2);
    this.need(p + 4, 2 * units, end);
    this.afterValue = p + 4 + 2 * units;
  }

  /** Reads a value-text token; sets afterValue past it. */
  private readValueText(p: number, end: number): string {
    const b = this.chunk;
    this.need(p, 4, end);
    if (b[p + 1] !== VALUE_TYPE.STRING) throw new BinXmlError("value text that is not a UTF-16 string");
    const units = u16(b, p + 2);
    this.need(p + 4, 2 * units, end);
    this.afterValue = p + 4 + 2 * units;
    return utf16At(b, p + 4, units);
  }

  private readEntity(p: number, end: number): string {
    this.need(p, 5, end);
    const name = this.readName(u32(this.chunk, p + 1), p + 5, end);
    const value = ENTITIES[name];
    if (value === undefined) throw new BinXmlError(`unknown entity &${name};`);
    return value;
  }

  private skipProcessingInstruction(p: number, end: number): number {
    const b = this.chunk;
    if ((b[p] as number) === TOKEN.PI_TARGET) {
      this.need(p, 5, end);
      this.readName(u32(b, p + 1), p + 5, end);
      return this.afterName;
    }
    this.need(p, 3, end);
    const units = u16(b, p + 1);
    this.need(p + 3, 2 * units, end);
    return p + 3 + 2 * units;
  }

  /** Reads one attribute into `out`; with `out` null, only checks it. */
  private readAttribute(p: number, end: number, values: SubstitutionValue[] | null, out: Attribute[] | null): number {
    const b = this.chunk;
    this.need(p, 5, end);
    if (((b[p] as number) & ~MORE) !== TOKEN.ATTRIBUTE) {
      throw new BinXmlError(`unexpected token 0x${(b[p] as number).toString(16)} in attribute list`);
    }
    const name = this.readName(u32(b, p + 1), p + 5, end);
    p = this.afterName;
    let value = "";
    let pieces = 0;
    let droppedByNull = false;
    for (;;) {
      this.need(p, 1, end);
      const token = b[p] as number;
      let more = (token & MORE) !== 0;
      pieces++;
      switch (token & ~MORE) {
        case TOKEN.VALUE:
          if (out === null) this.skipValueText(p, end);
          else value += this.readValueText(p, end);
          p = this.afterValue;
          break;
        case TOKEN.CHAR_REF:
          this.need(p, 3, end);
          if (out !== null) value += String.fromCharCode(u16(b, p + 1));
          p += 3;
          break;
        case TOKEN.ENTITY_REF:
          value += this.readEntity(p, end);
          p = this.afterName;
          break;
        case TOKEN.NORMAL_SUBSTITUTION:
        case TOKEN.OPTIONAL_SUBSTITUTION: {
          this.need(p, 4, end);
          const substituted = this.substitution(values, u16(b, p + 1));
          if (substituted.type === VALUE_TYPE.NULL && token === TOKEN.OPTIONAL_SUBSTITUTION) droppedByNull = true;
          else if (out === null) this.checkValue(substituted);
          else value += this.valueText(substituted);
          p += 4;
          more = false;
          break;
        }
        default:
          throw new BinXmlError(`unexpected token 0x${token.toString(16)} in attribute value`);
      }
      if (!more) break;
    }
    if (out !== null && !(droppedByNull && pieces === 1)) out.push([name, value]);
    return p;
  }
}
