/** Bytes received so far, and the whole size when the server says. */
export interface ByteProgress {
  loaded: number;
  total?: number;
}

/**
 * How long a download may go without a byte (before its answer, or between two chunks) before
 * it is given up as stalled. A slow download whose bytes keep coming is never cut off.
 */
export const STALL_MS = 10_000;

/**
 * Downloads `url` as bytes, reporting progress as they arrive.
 * @param stallMs gives up after this long without a byte ({@link STALL_MS} by default).
 * @throws {Error} with the URL and the cause when the request fails, answers an HTTP error or a
 * web page (an error page in place of the file), stalls, or ends before the length it announced;
 * the caller wraps it in its own error type.
 */
export async function fetchBytes(
  url: string | URL,
  onProgress?: (p: ByteProgress) => void,
  signal?: AbortSignal,
  stallMs: number = STALL_MS,
): Promise<Uint8Array> {
  const fail = (why: string, cause?: unknown) =>
    new Error(`could not download ${url}: ${why}`, cause === undefined ? {} : { cause });
  // Aborted by the caller's signal, or by the stall watch (which says so in `stalled`).
  const own = new AbortController();
  let stalled = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      own.abort();
    }, stallMs);
  };
  const onAbort = () => own.abort();
  if (signal?.aborted) own.abort();
  else signal?.addEventListener('abort', onAbort);
  const quiet = stallMs < 1000 ? `${stallMs} ms` : `${Math.round(stallMs / 1000)} s`;
  const stallError = () => fail(`the download stalled (no data for ${quiet})`);
  try {
    watch();
    let res: Response;
    try {
      res = await fetch(url, { signal: own.signal });
    } catch (err) {
      if (stalled) throw stallError();
      if ((err as Error).name === 'AbortError') throw err;
      throw fail((err as Error).message, err);
    }
    if (!res.ok) throw fail(`HTTP ${res.status}`);
    const type = res.headers.get('content-type') ?? '';
    if (/^text\/html/i.test(type)) {
      throw fail('the server answered with a web page instead of the file');
    }
    // A compressed answer's length counts the compressed bytes, while the stream yields decoded
    // ones: only an uncompressed answer's length is the total.
    const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
    const total = encoded ? undefined : Number(res.headers.get('content-length')) || undefined;
    if (!res.body) return new Uint8Array(await res.arrayBuffer());
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      watch();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        if (stalled) throw stallError();
        if ((err as Error).name === 'AbortError') throw err;
        throw fail(`the download broke off after ${loaded} bytes (${(err as Error).message})`, err);
      }
      if (chunk.done) break;
      chunks.push(chunk.value);
      loaded += chunk.value.length;
      onProgress?.(total ? { loaded, total } : { loaded });
    }
    if (total && loaded !== total)
      throw fail(`the download ended after ${loaded} of ${total} bytes`);
    return concat(chunks, loaded);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
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
