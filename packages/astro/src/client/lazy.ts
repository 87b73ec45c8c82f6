/**
 * Loads a custom element's code only when one of its instances comes near the viewport (about
 * two screens ahead), so a lesson ships no widget code its reader never scrolls to. An instance
 * marked `data-rf-wake-on="<id>"` waits instead until the reader uses the element with that id
 * (presses, types or touches in it): a figure at the top of a page, a home page's model
 * comparison say, then downloads nothing before the reader asks for it.
 */
const WAKE_MARGIN = '200% 0px';

/** What counts as using the element a figure wakes on (UI events cross shadow roots). */
const USE_EVENTS = ['pointerdown', 'keydown', 'rf-digit'] as const;

/** Class of the notice shown after each instance whose code failed to load. */
export const WAKE_ERROR_CLASS = 'rf-wake-error';

/**
 * Puts a notice with a Retry after every instance of `tag` still waiting for its code (or, after
 * a failed Retry, brings its notice up to date, keeping the keyboard focus on its button).
 * The figure's own fallback content stays as it is.
 */
function showFailure(tag: string, err: unknown, retry: () => void): void {
  const reason = String((err as Error | undefined)?.message ?? err);
  for (const el of document.querySelectorAll(tag)) {
    let notice = el.nextElementSibling as HTMLElement | null;
    if (!notice?.classList.contains(WAKE_ERROR_CLASS)) {
      notice = document.createElement('p');
      notice.className = WAKE_ERROR_CLASS;
      notice.setAttribute('role', 'alert');
      notice.dataset.for = tag;
      const button = document.createElement('button');
      button.type = 'button';
      button.addEventListener('click', () => {
        // Not `disabled`: that would drop the keyboard focus to the page while the code loads.
        if (button.getAttribute('aria-disabled') === 'true') return;
        button.setAttribute('aria-disabled', 'true');
        button.textContent = 'Loading…';
        retry();
      });
      notice.append(document.createElement('span'), ' ', button);
      el.after(notice);
    }
    notice.querySelector('span')!.textContent = `This figure’s code did not load (${reason}).`;
    const button = notice.querySelector('button')!;
    button.textContent = 'Retry';
    button.removeAttribute('aria-disabled');
  }
}

/** Removes the notices after `tag`'s instances; a keyboard reader on a Retry lands on its figure. */
function clearFailure(tag: string): void {
  for (const el of document.querySelectorAll<HTMLElement>(tag)) {
    const notice = el.nextElementSibling;
    if (!notice?.classList.contains(WAKE_ERROR_CLASS)) continue;
    const focused = notice.contains(document.activeElement);
    notice.remove();
    if (focused) {
      if (!el.hasAttribute('tabindex')) el.tabIndex = -1;
      el.focus({ preventScroll: true });
    }
  }
}

/**
 * Defines `tag` with the class `load` resolves to, once any `tag` element on the page is near
 * (or, for one marked `data-rf-wake-on`, once its element is used). Attributes set before then
 * (by a scrolly step, say) are read when the element upgrades. When `load` fails, a notice with a
 * Retry follows each instance; `load` runs again on the Retry or when the browser is back online
 * (so `load` should fetch afresh: see `importChunk` in @receptive/widgets).
 * @example wakeWhenNear('rf-kernel-lab', () => import('@receptive/widgets/kernel-lab').then((m) => m.KernelLab));
 */
export function wakeWhenNear(tag: string, load: () => Promise<CustomElementConstructor>): void {
  const elements = document.querySelectorAll(tag);
  if (elements.length === 0 || customElements.get(tag)) return;
  let started = false;
  let failed = false;
  // One function for the Retry and the `online` event (added once however often it fails).
  const again = () => {
    window.removeEventListener('online', again);
    void define();
  };
  const define = async () => {
    if (started) return;
    started = true;
    try {
      const cls = await load();
      if (!customElements.get(tag)) customElements.define(tag, cls);
      if (failed) clearFailure(tag);
    } catch (err) {
      // A failed download (offline, a server error): say so under each instance, and try again
      // on the reader's Retry or when the browser comes back online.
      started = false;
      failed = true;
      showFailure(tag, err, again);
      window.addEventListener('online', again);
    }
  };
  const near: Element[] = [];
  for (const el of elements) {
    const id = el.getAttribute('data-rf-wake-on');
    const trigger = id ? document.getElementById(id) : null;
    if (!trigger) {
      near.push(el);
      continue;
    }
    for (const type of USE_EVENTS) {
      trigger.addEventListener(type, () => void define(), { once: true, passive: true });
    }
  }
  if (near.length === 0) return;
  if (typeof IntersectionObserver === 'undefined') {
    void define();
    return;
  }
  const io = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        void define();
      }
    },
    { rootMargin: WAKE_MARGIN },
  );
  for (const el of near) io.observe(el);
}
