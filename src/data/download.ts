// Dataset downloads: only when asked, from a list of mirrors, checked by SHA-256 before the file
// is moved (atomically) into the cache directory.

import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";
import { createHash } from "node:crypto";
import { writeFileAtomic } from "../io/files.js";

/** Where datasets go unless `root` is given: ~/.cache/deeptype. */
export function defaultCacheDir(): string {
  return path.join(os.homedir(), ".cache", "deeptype");
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export interface DownloadSpec {
  /** File name, appended to each mirror URL (which ends with "/"). */
  name: string;
  /** Accepted SHA-256 digests of the downloaded bytes. */
  sha256: string[];
  /** Further check on the bytes when no digest matches (e.g. the digest of the decompressed contents). */
  accept?: (bytes: Uint8Array) => boolean;
}

/** Downloads `spec.name` from the first mirror that serves bytes with a valid digest, into `dir`.
 *  Throws one error listing every mirror's failure and what to do offline. */
export async function downloadFile(what: string, mirrors: string[], spec: DownloadSpec, dir: string, offlineHint: string): Promise<string> {
  const dest = path.join(dir, spec.name);
  const failures: string[] = [];
  for (const mirror of mirrors) {
    const url = mirror.endsWith("/") ? mirror + spec.name : `${mirror}/${spec.name}`;
    let bytes: Uint8Array;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      failures.push(`${url}: ${err.message}${err.cause ? ` (${err.cause.code ?? err.cause.message})` : ""}`);
      continue;
    }
    const digest = sha256Hex(bytes);
    if (!spec.sha256.includes(digest) && !(spec.accept?.(bytes) ?? false)) {
      failures.push(`${url}: SHA-256 mismatch (got ${digest}, expected ${spec.sha256.join(" or ")})`);
      continue;
    }
    fs.mkdirSync(dir, { recursive: true });
    await writeFileAtomic(dest, bytes, what);
    return dest;
  }
  throw new Error(`${what}: could not download ${spec.name}:\n  ${failures.join("\n  ")}\n${offlineHint}`);
}
