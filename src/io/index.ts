// io: safetensors and checkpoints.
export {};
