/**
 * A kernel lab inside a `<Scrolly>` follows its steps: each step state listed in the lab's
 * `data-rf-steps` sets the lab's `kernel` and `padding` attributes.
 */
type StepSettings = Record<string, { kernel?: string | number[]; padding?: boolean }>;

function apply(lab: HTMLElement, steps: StepSettings, state: string | undefined): void {
  const s = state ? steps[state] : undefined;
  if (!s) return;
  if (s.kernel !== undefined) {
    lab.setAttribute('kernel', Array.isArray(s.kernel) ? s.kernel.join(',') : s.kernel);
  }
  if (s.padding !== undefined) lab.toggleAttribute('padding', s.padding);
}

export function followSteps(doc: Document = document): void {
  for (const lab of doc.querySelectorAll<HTMLElement>('rf-kernel-lab[data-rf-steps]')) {
    if (lab.dataset['rfFollowing']) continue;
    lab.dataset['rfFollowing'] = 'true';
    const steps = JSON.parse(lab.dataset['rfSteps'] ?? '{}') as StepSettings;
    const scrolly = lab.closest<HTMLElement>('[data-scrolly]');
    if (!scrolly) continue;
    // The scrolly may have activated its first step before this script ran.
    apply(lab, steps, scrolly.dataset['state']);
    scrolly.addEventListener('rf:step', (e) => {
      apply(lab, steps, (e as CustomEvent<{ state: string }>).detail.state);
    });
  }
}
