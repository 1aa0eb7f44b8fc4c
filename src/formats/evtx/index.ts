/**
 * Native EVTX decoding: file and chunk layout, chunk checks, BinXml records into fields or a
 * tree, carving. What the EVTX searcher (src/engine/evtx-searcher.ts) and the tests call.
 */

export { type BinXmlHandler, BinXmlReader } from "./binxml.js";
export { type ChunkKind, type ChunkScan, scanChunk } from "./chunk.js";
export { decodeRecordFields } from "./event-fields.js";
export {
  decodeRecordTree,
  eventFieldsOfTree,
  ownText,
  renderXml,
  type XmlElement,
  type XmlNode,
} from "./event-tree.js";
export { CHUNK_SIZE, chunkOffset, evtxChunkCount, evtxChunksStart, FILE_HEADER_SIZE } from "./layout.js";
export { BinXmlError, renderFiletime } from "./values.js";
