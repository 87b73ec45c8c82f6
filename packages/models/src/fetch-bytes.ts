/** Bytes received so far, and the whole size when the server says. */
export interface ByteProgress {
  loaded: number;
  total?: number;
}

/**
 * Downloads `url` as bytes, reporting progress as they arrive.
 * @throws {Error} with the URL and the cause when the request fails or answers an HTTP error;
 * the caller wraps it in its own error type.
 */
export async function fetchBytes(
  url: string | URL,
  onProgress?: (p: ByteProgress) => void,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url, signal ? { signal } : {});
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new Error(`could not download ${url}: ${(err as Error).message}`, { cause: err });
  }
  if (!res.ok) throw new Error(`could not download ${url}: HTTP ${res.status}`);
  // A compressed answer's length counts the compressed bytes, while the stream yields decoded
  // ones: only an uncompressed answer's length is the total.
  const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const total = encoded ? undefined : Number(res.headers.get('content-length')) || undefined;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress?.(total ? { loaded, total } : { loaded });
  }
  return concat(chunks, loaded);
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  return bytes;
}

/** True for the two bytes every gzip stream starts with. */
export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/**
 * Inflates gzip bytes with the platform's DecompressionStream (every current browser, Node 18+).
 * Bytes that are not gzip (a server that already decoded a `Content-Encoding: gzip` answer) are
 * returned as they are.
 */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (!isGzip(bytes)) return bytes;
  const stream = new Blob([bytes as BlobPart])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
