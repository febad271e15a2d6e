// io: safetensors files (byte-compatible with Hugging Face's format) and training checkpoints.

export { saveBytes, loadBytes, metadataOfBytes, readHeader, SafetensorsError } from "./safetensors.js";
export type { Metadata, TensorRecord, TensorInfo } from "./safetensors.js";
export { save, saveSync, load, loadSync, loadMetadata } from "./files.js";
export type { SaveOptions } from "./files.js";
export { saveCheckpoint, saveCheckpointSync, loadCheckpoint, loadCheckpointSync, checkpointBytes, loadCheckpointBytes } from "./checkpoint.js";
export type { Checkpoint, CheckpointInput, HasStateDict } from "./checkpoint.js";
