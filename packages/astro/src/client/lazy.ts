/**
 * Loads a custom element's code only when one of its instances comes near the viewport (about
 * two screens ahead), so a lesson ships no widget code its reader never scrolls to.
 */
const WAKE_MARGIN = '200% 0px';

/**
 * Defines `tag` with the class `load` resolves to, once any `tag` element on the page is near.
 * Attributes set before then (by a scrolly step, say) are read when the element upgrades.
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
  for (const el of elements) io.observe(el);
}
