import { type Digits, loadHeldOut } from '@receptive/models';

const cache = new Map<string, Promise<Digits>>();

/** The held-out digits, fetched once per URL and shared by every element on the page. */
export function heldOutDigits(url?: string): Promise<Digits> {
  const key = url ?? '';
  let p = cache.get(key);
  if (!p) {
    p = url ? loadHeldOut(new URL(url, document.baseURI)) : loadHeldOut();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}
