/**
 * Figure state in the page's address, so that a link reopens a figure as the reader left it.
 * Each figure that takes part keeps a short string of what the reader changed (its kernel, the
 * shift, the unit it points at, the digit on the pad) in one query parameter, named by the
 * figure's id or, without one, its tag and place on the page (`kernel-lab-2`). The address
 * follows changes through `history.replaceState`, so a stroke or a slider adds no history
 * entries; Back and Forward give each figure the state its entry held; a state that cannot be
 * read is dropped with a quiet note in the figure, never an error.
 *
 * @example
 * const share = shareFigure({
 *   element: lab,
 *   save: () => (lab.kernel.join(',') === '0,0,0,0,1,0,0,0,0' ? null : lab.kernel.join(',')),
 *   restore: (state) => { lab.kernel = state ?? 'identity'; return true; },
 * });
 * editor.addEventListener('input', () => share.changed());
 */

/** A figure's part in the address. */
export interface ShareTarget {
  readonly element: HTMLElement;
  /** The reader's state as a short string, or null while the figure shows what the page set. */
  save(): string | null;
  /**
   * Shows a saved state (null: what the page set). Returns false for a string it cannot read,
   * and then leaves the figure as it is. `cause` is `load` for a link being opened and
   * `history` for Back or Forward.
   */
  restore(state: string | null, cause: 'load' | 'history'): boolean;
  /** Told, in a sentence, when a link's state for this figure could not be read. */
  note?(text: string): void;
  /**
   * A figure whose place in the page is itself state (a scrollytelling step): the figures
   * inside it are restored again after it (its step sets them), and a link to one of them goes
   * through its step.
   */
  readonly scroller?: boolean;
}

/**
 * The `restore` of a figure whose state in a link is where the reader moved one thing, written
 * as its attribute is: null (what the page set) forgets the move (`moved(false)`); a text
 * `parse` reads is shown by `show`, then counts as moved; any other is refused (false), and the
 * figure stays as it is.
 */
export function restoreMove<T>(
  state: string | null,
  parse: (text: string) => T,
  show: (value: T) => void,
  moved: (moved: boolean) => void,
): boolean {
  if (state === null) {
    moved(false);
    return true;
  }
  let value: T;
  try {
    value = parse(state);
  } catch {
    return false;
  }
  show(value);
  moved(true);
  return true;
}

/** What {@link shareFigure} returns. */
export interface SharedFigure {
  /** The figure's parameter name in the address. */
  readonly key: string;
  /** Call after the reader changes what `save` returns: the address follows shortly. */
  changed(): void;
  /** The address that reopens the page with this figure (and every other) as it is now. */
  link(): string;
  /** Stops taking part (the parameter stays in the address). */
  dispose(): void;
}

const WRITE_DELAY_MS = 250;
const entries = new Map<string, ShareTarget>();
let writeTimer = 0;
let listening = false;

/** The name of `el`'s parameter: its id, or its tag without `rf-` and its place among its kind. */
function keyOf(el: HTMLElement): string {
  if (el.id) return el.id;
  const kind = el.localName.replace(/^rf-/, '');
  const same = Array.from(el.ownerDocument.querySelectorAll(el.localName));
  return `${kind}-${same.indexOf(el) + 1}`;
}

/** Query values keep commas, colons and the base64url alphabet readable. */
const encodeValue = (v: string) =>
  encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':');

/** The current address with every figure's state in its query, other parameters kept. */
function addressNow(): string {
  const url = new URL(window.location.href);
  const params = new URLSearchParams(url.search);
  for (const [key, target] of entries) {
    let state: string | null = null;
    try {
      state = target.save();
    } catch {
      // A figure that cannot say its state (torn down mid-change) keeps what the address has.
      continue;
    }
    if (state === null) params.delete(key);
    else params.set(key, state);
  }
  const query = Array.from(params, ([k, v]) => `${encodeValue(k)}=${encodeValue(v)}`).join('&');
  return `${url.pathname}${query ? `?${query}` : ''}${url.hash}`;
}

function write(): void {
  clearTimeout(writeTimer);
  writeTimer = 0;
  const next = addressNow();
  const { pathname, search, hash } = window.location;
  if (next !== `${pathname}${search}${hash}`) {
    try {
      window.history.replaceState(window.history.state, '', next);
    } catch {
      // Some hosts (a sandboxed frame, too many calls in a burst) refuse: the figures work on.
    }
  }
}

function stateOf(key: string): string | null {
  return new URLSearchParams(window.location.search).get(key);
}

function onPopState(): void {
  for (const [key, target] of entries) {
    const state = stateOf(key);
    let now: string | null = null;
    try {
      now = target.save();
    } catch {
      continue;
    }
    if (state !== now) target.restore(state, 'history');
  }
}

function restoreOnLoad(key: string, target: ShareTarget): void {
  const state = stateOf(key);
  if (state === null || target.restore(state, 'load')) return;
  target.note?.(
    'This link’s setting for the figure could not be read, so the figure starts as usual.',
  );
  write();
}

/**
 * Takes `target` into the address: restores the state a link holds for it at once (a state it
 * cannot read is removed from the address and noted), then follows its changes.
 */
export function shareFigure(target: ShareTarget): SharedFigure {
  if (!listening) {
    listening = true;
    window.addEventListener('popstate', onPopState);
  }
  let key = keyOf(target.element);
  // Two figures with one id (a page's mistake) must not share a parameter.
  for (let n = 2; entries.has(key) && entries.get(key) !== target; n++) {
    key = `${keyOf(target.element)}-${n}`;
  }
  entries.set(key, target);
  restoreOnLoad(key, target);
  // A sequence sets its figures as its step becomes active (on connecting, and again for a
  // link's step): what a link holds for a figure inside it wins over the step's settings.
  if (target.scroller) {
    for (const [k, t] of entries) {
      if (t !== target && target.element.contains(t.element)) restoreOnLoad(k, t);
    }
  }
  const changed = () => {
    if (!entries.has(key)) return;
    clearTimeout(writeTimer);
    writeTimer = window.setTimeout(write, WRITE_DELAY_MS);
  };
  const link = () => {
    write();
    const url = new URL(window.location.href);
    // A figure inside a scrollytelling sequence is reached through its step; any other figure
    // through its own anchor, given one if it has none.
    const scroller = Array.from(entries).find(
      ([, t]) => t.scroller && t.element !== target.element && t.element.contains(target.element),
    );
    if (scroller) {
      const [skey, st] = scroller;
      const params = new URLSearchParams(url.search);
      const step = st.save() ?? st.element.getAttribute('data-state');
      if (step) params.set(skey, step);
      url.search = Array.from(params, ([k, v]) => `${encodeValue(k)}=${encodeValue(v)}`).join('&');
      url.hash = '';
    } else {
      const el = target.element;
      if (!el.id && !el.ownerDocument.getElementById(key)) el.id = key;
      url.hash = el.id ? `#${el.id}` : '';
    }
    return url.href;
  };
  return {
    key,
    changed,
    link,
    dispose: () => {
      if (entries.get(key) === target) entries.delete(key);
    },
  };
}

/** A figure's "Copy link" button and the line that says what happened. */
export interface CopyLinkControl {
  readonly element: HTMLElement;
  /** Shows `text` in the status line (a polite live region). */
  say(text: string): void;
}

/**
 * The "Copy link to this figure" button with its status line. `link` gives the address to copy
 * (null: nothing yet). Where the clipboard cannot be written, the link is shown selected in a
 * read-only field, to copy by hand. Styled by the figures' base CSS (`.share`).
 */
export function copyLinkControl(link: () => string | null): CopyLinkControl {
  const doc = document;
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'share-copy';
  button.dataset['share'] = '';
  button.textContent = 'Copy link to this figure';
  const status = doc.createElement('span');
  status.className = 'share-status';
  status.setAttribute('aria-live', 'polite');
  const field = doc.createElement('input');
  field.type = 'text';
  field.readOnly = true;
  field.className = 'share-link';
  field.setAttribute('aria-label', 'Link to this figure');
  field.hidden = true;
  button.addEventListener('click', async () => {
    const href = link();
    if (!href) return;
    const copied = await copyText(href);
    field.value = href;
    field.hidden = copied;
    status.textContent = copied
      ? 'Link copied: it opens this figure as it is now.'
      : 'Copy this link by hand: it opens this figure as it is now.';
    if (!copied) {
      field.focus();
      field.select();
    }
  });
  const element = doc.createElement('div');
  element.className = 'share';
  element.append(button, status, field);
  return {
    element,
    say: (text) => {
      status.textContent = text;
    },
  };
}

/**
 * Copies `text` to the clipboard. Resolves false where the page may not write it (no
 * permission, an insecure origin, an old browser), so the caller can show it to copy by hand.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (!navigator.clipboard?.writeText) return false;
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
