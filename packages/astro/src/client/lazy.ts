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

/**
 * Defines `tag` with the class `load` resolves to, once any `tag` element on the page is near
 * (or, for one marked `data-rf-wake-on`, once its element is used). Attributes set before then
 * (by a scrolly step, say) are read when the element upgrades.
 * @example wakeWhenNear('rf-kernel-lab', () => import('@receptive/widgets/kernel-lab').then((m) => m.KernelLab));
 */
export function wakeWhenNear(tag: string, load: () => Promise<CustomElementConstructor>): void {
  const elements = document.querySelectorAll(tag);
  if (elements.length === 0 || customElements.get(tag)) return;
  let started = false;
  const define = async () => {
    if (started) return;
    started = true;
    const cls = await load();
    if (!customElements.get(tag)) customElements.define(tag, cls);
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
