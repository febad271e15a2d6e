// WAV decoding (wavefile): PCM 8/16/24/32-bit, float 32/64, A-law, mu-law and IMA ADPCM, to
// { sampleRate, data: float32 [channels, samples] } in [-1, 1], as torchaudio.load (normalize=True):
// signed n-bit PCM is divided by 2^(n-1), 8-bit unsigned PCM is (v - 128) / 128.

import { checkOptions } from "../tensor/options.js";
import wavefile from "wavefile";
import { Tensor } from "../tensor/tensor.js";
import { readFileOrThrow } from "./idx.js";

/** A decoded sound: its sample rate and samples. */
export interface Audio {
  /** Samples per second. */
  sampleRate: number;
  /** float32 [channels, samples] in [-1, 1]. */
  data: Tensor;
}

interface Fmt {
  numChannels: number;
  sampleRate: number;
  audioFormat: number;
  bitsPerSample: number;
}

const SOURCE_KEYS = ["source"] as const;

/** Decodes WAV bytes.
 *  @example const { sampleRate, data } = dt.data.decodeWav(bytes); // data: [channels, samples] */
export function decodeWav(bytes: Uint8Array, opts: { source?: string } = {}): Audio {
  const source = checkOptions("data.decodeWav", opts, SOURCE_KEYS, 2).source ?? "<bytes>";
  const bad = (what: string) => new Error(`decodeWav: ${source}: ${what}`);
  if (!(bytes instanceof Uint8Array)) throw new Error(`decodeWav: expected a Uint8Array of file bytes, got ${typeof bytes}`);
  if (bytes.length < 12) throw bad(`${bytes.length} bytes, too short for a RIFF/WAVE header (truncated or not a WAV file)`);
  const tag = String.fromCharCode(...bytes.subarray(0, 4)), wave = String.fromCharCode(...bytes.subarray(8, 12));
  if (!["RIFF", "RIFX", "RF64"].includes(tag) || wave !== "WAVE") throw bad(`not a WAV file (starts with '${tag}', expected 'RIFF....WAVE')`);
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes);
  } catch (e) {
    throw bad(`corrupt or truncated WAV (${(e as Error).message})`);
  }
  const fmt = wav.fmt as Fmt;
  const data = (wav as unknown as { data: { chunkSize: number; samples: Uint8Array } }).data;
  if (!(fmt.numChannels >= 1)) throw bad(`fmt chunk declares ${fmt.numChannels} channels`);
  if (!(fmt.sampleRate > 0)) throw bad(`fmt chunk declares sample rate ${fmt.sampleRate}`);
  if (data.samples.length < data.chunkSize) throw bad(`data chunk declares ${data.chunkSize} bytes but the file holds ${data.samples.length}: truncated`);
  try {
    if (fmt.audioFormat === 6) wav.fromALaw();
    else if (fmt.audioFormat === 7) wav.fromMuLaw();
    else if (fmt.audioFormat === 17) wav.fromIMAADPCM();
  } catch (e) {
    throw bad(`cannot decode compressed samples (${(e as Error).message})`);
  }
  const depth = wav.bitDepth;
  const isFloat = depth === "32f" || depth === "64";
  const bits = parseInt(depth, 10);
  if (!isFloat && !(fmt.audioFormat === 1 || fmt.audioFormat === 0xfffe || [6, 7, 17].includes(fmt.audioFormat)))
    throw bad(`unsupported WAV encoding (format tag ${fmt.audioFormat}); supported: PCM, IEEE float, A-law, mu-law, IMA ADPCM`);
  if (!isFloat && !(bits >= 8 && bits <= 32)) throw bad(`unsupported bit depth ${depth}`);
  let samples: Float64Array | Float64Array[];
  try {
    samples = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  } catch (e) {
    throw bad(`corrupt sample data (${(e as Error).message})`);
  }
  const channels = Array.isArray(samples) || (samples as unknown) instanceof Array ? (samples as Float64Array[]) : [samples as Float64Array];
  const n = channels[0].length;
  const out = new Float32Array(channels.length * n);
  const scale = isFloat ? 1 : bits === 8 ? 1 / 128 : 1 / 2 ** (bits - 1);
  const shift = !isFloat && bits === 8 ? 128 : 0;
  channels.forEach((ch, c) => {
    for (let i = 0; i < n; i++) out[c * n + i] = (ch[i] - shift) * scale;
  });
  return { sampleRate: fmt.sampleRate, data: new Tensor(out, [channels.length, n], "float32") };
}

/** Reads a WAV file.
 *  @example const { sampleRate, data } = dt.data.readWav("0_george_0.wav"); // data: float32 [1, samples] */
export function readWav(file: string): Audio {
  return decodeWav(readFileOrThrow(file, "readWav"), { source: file });
}
