/**
 * Native EVTX support: recognize, shard by chunk, scan in reference or fast (wasm prefilter)
 * mode, carve. What the engines and the CLI call; the rest of src/formats/evtx/ is internal.
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
export { EvtxPrefilter, loadEvtxWasmModule } from "./evtx-wasm.js";
export { CHUNK_SIZE, chunkOffset, evtxChunkCount, evtxChunksStart, FILE_HEADER_SIZE } from "./layout.js";
export {
  type EvtxScanOptions,
  evtxChunkRangeOfBytes,
  evtxFileChunkCount,
  scanEvtxBytes,
  scanEvtxFile,
  scanEvtxFileRange,
  scanEvtxStream,
  WINDOW_CHUNKS,
} from "./scan.js";
export { BinXmlError, renderFiletime } from "./values.js";
